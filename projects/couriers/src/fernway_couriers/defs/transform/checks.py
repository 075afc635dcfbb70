"""The *test* stage of dbt run + dbt test: the couriers project's data tests as asset checks.

One `@multi_asset_check` declares every dbt data test of the project as the check dagster-dbt
would make of it (`DagsterDbtTranslator.get_asset_check_spec`: on the tested model, named after
the test node, blocking when its severity is `error`) and runs the selected ones with
`dbt test` through the `dbt_couriers` resource. dagster-dbt turns each test result into an
`AssetCheckEvaluation` when it has no asset context; they become this op's `AssetCheckResult`s.
A test dbt could not run (a compile or database error) is a failed check carrying dbt's status;
a selected test dbt never reported fails the step with dbt's error.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import dagster as dg
from dagster_dbt import DbtCliResource

from fernway_core.dbt import dbt_environment
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.transform.assets import couriers_project
from fernway_couriers.defs.transform.translator import CouriersDbtTranslator

TRANSLATOR = CouriersDbtTranslator()


class DbtTestCheck(NamedTuple):
    """A dbt data test as an asset check: its spec and its dbt fqn (to select it)."""

    spec: dg.AssetCheckSpec
    fqn: str


def _tested_model(node: Mapping[str, Any]) -> str | None:
    """The model a data test is attached to (generic tests name it; singular ones have one)."""
    parents = node.get("depends_on", {}).get("nodes", [])
    attached = node.get("attached_node") or (parents[0] if len(parents) == 1 else None)
    return attached if attached and attached.startswith("model.") else None


def dbt_test_checks(manifest: Mapping[str, Any]) -> dict[dg.AssetCheckKey, DbtTestCheck]:
    """Every data test on a model of `manifest`, keyed as dagster-dbt keys its check."""
    checks: dict[dg.AssetCheckKey, DbtTestCheck] = {}
    for unique_id, node in sorted(manifest["nodes"].items()):
        model = node.get("resource_type") == "test" and _tested_model(node)
        if not model:
            continue
        asset = TRANSLATOR.get_asset_spec(manifest, model, couriers_project)
        spec = TRANSLATOR.get_asset_check_spec(
            asset_spec=asset, manifest=manifest, unique_id=unique_id, project=couriers_project
        )
        if spec is not None:
            checks[spec.key] = DbtTestCheck(spec, ".".join(node["fqn"]))
    return checks


MANIFEST: dict[str, Any] = json.loads(couriers_project.manifest_path.read_text())
CHECKS = dbt_test_checks(MANIFEST)


# Tests only read: several at once are safe on DuckDB too (threads of one process share the
# database), and dbt's per-test overhead dominates these small queries.
TEST_THREADS = "4"


def dbt_test_args(selected: set[dg.AssetCheckKey]) -> list[str]:
    """`dbt test` arguments for the selected checks: data tests only, each by its fqn."""
    args = ["test", "--exclude-resource-type", "unit_test", "--threads", TEST_THREADS]
    if selected >= set(CHECKS):
        return args
    # one --select value, space-separated: dbt reads only the first of several bare arguments
    return [*args, "--select", " ".join(sorted(CHECKS[key].fqn for key in selected))]


@dg.multi_asset_check(
    specs=[check.spec for check in CHECKS.values()],
    name="couriers_dbt_tests",
    description="Run the couriers dbt project's data tests (`dbt test`) on the built models.",
    can_subset=True,
)
def couriers_dbt_tests(
    context: dg.AssetCheckExecutionContext, dbt_couriers: DbtCliResource, warehouse: Warehouse
) -> Iterator[dg.AssetCheckResult]:
    """Run `dbt test` for the selected checks; one result per dbt data test."""
    selected = set(context.selected_asset_check_keys)
    seen: set[dg.AssetCheckKey] = set()
    with dbt_environment(warehouse):  # the writer slot for dbt only, not while Dagster records
        invocation = dbt_couriers.cli(
            dbt_test_args(selected),
            manifest=MANIFEST,
            dagster_dbt_translator=TRANSLATOR,
            raise_on_error=False,
        )
        events = list(invocation.stream())
    for event in events:
        if not isinstance(event, dg.AssetCheckEvaluation):
            continue
        key = dg.AssetCheckKey(event.asset_key, event.check_name)
        if key not in selected:
            continue
        seen.add(key)
        yield dg.AssetCheckResult(
            asset_key=event.asset_key,
            check_name=event.check_name,
            passed=event.passed,
            severity=event.severity,
            metadata=event.metadata,
        )
    missing = selected - seen
    if missing:
        names = ", ".join(sorted(k.to_user_string() for k in missing))
        raise dg.Failure(
            f"dbt test reported nothing for {names}: {invocation.get_error()}",
            metadata={"dbt_command": " ".join(dbt_test_args(selected))},
        )
