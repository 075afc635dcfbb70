"""The couriers dbt models as Dagster assets: the *run* stage of dbt run + dbt test.

The reference system runs `dbt run` and `dbt test` as two stages; here they are two steps of
one asset graph, both through the public dagster-dbt 0.29 API:

* `couriers_dbt_models` (`@dbt_assets`, this module) selects every model but no data test
  (`exclude="resource_type:test"`), so it declares no checks and runs
  `dbt build --select fqn:* --exclude resource_type:test`: the models, each after its dbt unit
  tests (a failing unit test skips its model and fails the step). Unit tests are logic tests
  over fixed rows, so they guard the build rather than report on the data.
* `couriers_dbt_tests` (`@multi_asset_check`, checks.py) runs `dbt test` over the data tests
  through the same `DbtCliResource` and yields an `AssetCheckResult` per test, keyed as
  dagster-dbt keys them (asset = the tested model, name = the test's node name, blocking for
  severity `error`). A job that selects only these checks (a data-quality run) tests the
  warehouse as it stands without rebuilding anything; a job that selects the models gets both
  steps, tests after the build. See selections.py.

The alternative, one `@dbt_assets` running `dbt build` with tests as its own checks, makes
run and test one step; dagster-dbt's check-only subset of it would also work, but the two
stages would never show as separate steps of one run.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from fernway_core import marts
from fernway_core.dbt import dbt_build, fernway_dbt_project
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.transform.translator import CouriersDbtTranslator

DBT_DIR = Path(__file__).resolve().parents[4] / "dbt"
# Profile from libs/dbt-shared; the manifest is prepared by `make setup` (dbt deps + parse), so
# loading this module never shells out to dbt.
couriers_project = fernway_dbt_project(DBT_DIR / "couriers")
DATA_TESTS = "resource_type:test"  # dbt's data tests (unit tests are resource_type:unit_test)

# The analytics mart payout_reconciliation reads (a source of the dbt project mapped to this
# key): built by the analytics location, declared here so the cross-location edge shows.
orders = marts.ORDERS.spec()


@dbt_assets(
    manifest=couriers_project.manifest_path,
    project=couriers_project,
    name="couriers_dbt_models",
    exclude=DATA_TESTS,
    dagster_dbt_translator=CouriersDbtTranslator(),
)
def couriers_dbt_models(
    context: dg.AssetExecutionContext, dbt_couriers: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build the couriers staging views and marts (each after its unit tests), no data tests."""
    # dagster-dbt's selection of a subset replaces the decorator's --exclude, and dbt's eager
    # indirect selection would then add the data tests of the selected models (even one on an
    # unselected mart): excluding the resource type holds whatever the selection.
    args = ["build", "--exclude-resource-type", "test"]
    yield from dbt_build(context, dbt_couriers, warehouse, args)
