"""no_rejected_records fails (as a warning, blocking nothing) once its entity has rejects."""

from collections import Counter

import dagster as dg
import pytest

from fernway_core.rejects import REJECTS_TABLE
from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import (
    add_rejects,
    evaluate_checks,
    failed_check,
    use_sandbox,
)
from tests.conftest import START

ORDERS = dg.AssetKey(["raw", "marketplace_orders"])
CHECK = "no_rejected_records"


@pytest.fixture
def defs(platform_env) -> dg.Definitions:
    """The analytics location, bound to this test's warehouse."""
    return load_location("fernway_analytics.definitions")


@pytest.mark.parametrize(("asset", "entity"), [
    pytest.param(
        "raw/marketplace_customers", "customers",
        marks=pytest.mark.fails_check("raw/marketplace_customers", CHECK),
    ),
    pytest.param(
        "raw/marketplace_products", "products",
        marks=pytest.mark.fails_check("raw/marketplace_products", CHECK),
    ),
    pytest.param(
        "raw/marketplace_orders", "orders",
        marks=pytest.mark.fails_check("raw/marketplace_orders", CHECK),
    ),
])  # fmt: skip
def test_rejects_of_its_own_entity_fail_the_check_and_others_do_not(
    asset, entity, defs, instance, warehouse
):
    others = {"customers", "products", "orders"} - {entity}
    for other in others:
        add_rejects(warehouse, "marketplace", other, ["null_key"])
    add_rejects(warehouse, "analytics", entity, ["null_key"])  # same entity, other source
    [clean] = evaluate_checks(defs, instance, [(asset, CHECK)]).get_asset_check_evaluations()
    assert clean.passed, f"{asset} counted rejects of another entity: {clean.metadata}"

    add_rejects(warehouse, "marketplace", entity, ["null_key", "wrong_type", "wrong_type"])
    result = evaluate_checks(defs, instance, [(asset, CHECK)])
    check = failed_check(result, asset, CHECK)
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert not check.blocking
    assert check.metadata["rejected"].value == 3
    assert check.metadata["by_reason"].value == {"wrong_type": 2, "null_key": 1}


@pytest.mark.fails_check("raw/marketplace_orders", CHECK)
def test_malformed_orders_from_the_api_fail_the_check_without_blocking_the_run(
    sandbox_factory, monkeypatch, platform_env, instance, warehouse
):
    sandbox = sandbox_factory(
        scale=2000, start=START, days=2, faults={"marketplace": "malformed_rate=0.1"}
    )
    use_sandbox(monkeypatch, sandbox)
    defs = load_location("fernway_analytics.definitions")
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        asset_selection=[ORDERS],
        partition_key=START.isoformat(),
        raise_on_error=False,
    )
    check = failed_check(result, "raw/marketplace_orders", CHECK)
    assert check.severity == dg.AssetCheckSeverity.WARN
    rejects = warehouse.query_arrow(
        f"select reason from {REJECTS_TABLE} where entity = 'orders'"
    ).to_pylist()
    assert rejects, "the sandbox served malformed orders that day"
    assert check.metadata["rejected"].value == len(rejects)
    assert check.metadata["by_reason"].value == dict(Counter(r["reason"] for r in rejects))
    # a warning: the load and the rest of the run went ahead
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {ORDERS}
