"""The location's jobs run for real: the courier app through dlt, dbt, dbt tests and the Great
Expectations checkpoints, against the sandbox and a real DuckDB (the selections alone are
proven with stand-in assets in tests/defs/pipelines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from tests.defs.transform.raw_tables import load_orders

GX = "great_expectations_validation"
BYPASSED = {"fernway/validation": "bypassed"}


def run(defs: dg.Definitions, job: str, instance: dg.DagsterInstance, **kw: Any):
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, raise_on_error=False, **kw
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        if e.asset_key is not None
    }


def test_the_jobs_load_transform_and_validate_for_real(
    couriers_sandbox, defs: dg.Definitions, instance: dg.DagsterInstance, platform_env: Path
) -> None:
    # the analytics location's orders mart, filled from the marketplace the sandbox serves
    warehouse = Warehouse(url=get_settings().resolved_warehouse_url)
    load_orders(
        platform_env / "warehouse.duckdb",
        couriers_sandbox.urls["marketplace"],
        couriers_sandbox.config.token,
    )

    sync = run(defs, "incremental_sync_pipeline", instance)
    assert sync.success
    built = materialized(sync)
    assert {"courier_app/payouts", "couriers/payout_reconciliation"} <= built
    evaluations = sync.get_asset_check_evaluations()
    assert evaluations, "the sync runs the checks of what it builds"
    assert all(e.passed for e in evaluations), [e.check_name for e in evaluations if not e.passed]
    assert {e.asset_key.to_user_string() for e in evaluations if e.check_name == GX} == {
        "couriers/courier_earnings_weekly",
        "couriers/shift_utilisation",
        "couriers/payout_reconciliation",
    }
    truth = couriers_sandbox.truth["couriers"]
    statuses = warehouse.query_arrow(
        "select status, count(*) as n, sum(payout_amount) as amount "
        "from couriers.payout_reconciliation group by status"
    ).to_pylist()
    assert [(r["status"], r["n"]) for r in statuses] == [("matched", truth["payouts"]["count"])]
    assert round(statuses[0]["amount"] * 100) == truth["payouts"]["amount_cents"]

    quality = run(defs, "data_quality_pipeline", instance)
    assert quality.success
    assert materialized(quality) == set()  # tests and checkpoints only: nothing rebuilt
    assert {e.check_name for e in quality.get_asset_check_evaluations()} >= {GX}

    transform = run(defs, "transformation_pipeline", instance)
    assert transform.success
    assert "couriers/payout_reconciliation" in materialized(transform)
    assert not any(k.startswith("courier_app/") for k in materialized(transform))

    emergency = run(defs, "emergency_data_refresh", instance)
    assert emergency.success
    assert emergency.dagster_run.tags.items() >= BYPASSED.items()
    assert {"courier_app/deliveries", "couriers/payout_reconciliation"} <= materialized(emergency)
    assert emergency.get_asset_check_evaluations() == []  # validation bypassed: none ran
