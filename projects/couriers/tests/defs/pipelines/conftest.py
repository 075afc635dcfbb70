"""Stand-in assets in the contract's groups, so the jobs' selections are proven before (and
independently of) the real loads, dbt models, GX checks and catalog other modules build.

The stand-ins do no work: each yields its materialization and passes its checks. The dbt and
load stand-ins are subsettable multi-assets like `@dbt_assets`/`@dlt_assets`, so a run can
select their checks without their assets.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.clock import Clock
from fernway_core.sinks import AlertResource
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.pipelines import jobs
from fernway_couriers.defs.pipelines.sensors import validation_bypass_alert


def subsettable(name: str, group: str, keys: dict[str, list[str]], checks: dict[str, str]):
    """A multi-asset like dlt's or dbt's: any subset of its assets and checks can run."""
    specs = [
        dg.AssetSpec(
            key, group_name=group, deps=deps and [dg.AssetKey.from_user_string(d) for d in deps]
        )
        for key, deps in ((dg.AssetKey.from_user_string(k), v) for k, v in keys.items())
    ]
    check_specs = [
        dg.AssetCheckSpec(check, asset=dg.AssetKey.from_user_string(asset))
        for check, asset in checks.items()
    ]

    @dg.multi_asset(name=name, specs=specs, check_specs=check_specs, can_subset=True)
    def _assets(context: dg.AssetExecutionContext) -> Iterator[object]:
        for spec in specs:  # in dependency order, as a multi-asset must yield them
            if spec.key in context.selected_asset_keys:
                yield dg.MaterializeResult(asset_key=spec.key)
        for check in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)

    return _assets


MART = "couriers/courier_earnings_weekly"
MART_KEY = dg.AssetKey.from_user_string(MART)
LOADS = subsettable(
    "courier_app_load",
    "courier_app",
    {"courier_app/couriers": [], "courier_app/deliveries": []},
    {"deliveries_reconcile_with_truth": "courier_app/deliveries"},
)
DBT = subsettable(
    "couriers_dbt_models",
    "couriers_dbt",
    {
        "couriers_staging/stg_courier_app__deliveries": ["courier_app/deliveries"],
        MART: ["couriers_staging/stg_courier_app__deliveries", "timesheets/entries"],
    },
    {
        "not_null_stg_courier_app__deliveries_delivery_id": (
            "couriers_staging/stg_courier_app__deliveries"
        ),
        "unique_courier_earnings_weekly_courier_id_week_start": MART,
    },
)


@dg.asset(key=["timesheets", "entries"], group_name="timesheets")
def timesheet_entries() -> None:
    """Stand-in for the timesheet file loads."""


@dg.asset(key=["airbyte", "github_releases"], group_name="airbyte")
def airbyte_releases() -> None:
    """Stand-in for the Airbyte GitHub connector."""


@dg.asset(key=["quality", "data_docs"], group_name="quality", deps=[MART_KEY])
def data_docs() -> None:
    """Stand-in for a Great Expectations asset."""


@dg.asset(key=["catalog", "datahub"], group_name="catalog", deps=[MART_KEY])
def catalog() -> None:
    """Stand-in for the DataHub emission."""


@dg.asset(key=["releases", "courier_app"], group_name="releases")
def releases() -> None:
    """Another engineer's group (the release sensor's): no job here selects it."""


@dg.asset_check(asset=MART_KEY, name="gx_courier_earnings_weekly", blocking=True)
def gx_check() -> dg.AssetCheckResult:
    """Stand-in for a Great Expectations checkpoint on a mart."""
    return dg.AssetCheckResult(passed=True)


ALL_JOBS = [
    jobs.daily_data_pipeline,
    jobs.incremental_sync_pipeline,
    jobs.transformation_pipeline,
    jobs.data_quality_pipeline,
    jobs.emergency_data_refresh,
]


@pytest.fixture
def stand_in_defs(platform_env: Path, warehouse: Warehouse) -> dg.Definitions:
    """The pipelines' jobs and sensor over the stand-ins, a real DuckDB, the log alert sink."""
    return dg.Definitions(
        assets=[LOADS, DBT, timesheet_entries, airbyte_releases, data_docs, catalog, releases],
        asset_checks=[gx_check],
        jobs=ALL_JOBS,
        sensors=[validation_bypass_alert],
        resources={
            "warehouse": warehouse,
            "alerts": AlertResource(sink="log", data_dir=str(platform_env)),
            "clock": Clock(),
        },
    )
