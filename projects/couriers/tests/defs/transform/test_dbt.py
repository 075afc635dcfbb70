"""The couriers dbt project through Dagster: run and test as two steps, marts against the
sandbox truth, dbt tests as asset checks that fail on tampered rows, a test-only run."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.transform.checks import CHECKS
from fernway_devtools.pytest_plugin import failed_check
from tests.defs.transform.conftest import copy_tables

MODELS = {
    "couriers_staging/stg_courier_app__couriers",
    "couriers_staging/stg_courier_app__shifts",
    "couriers_staging/stg_courier_app__deliveries",
    "couriers_staging/stg_courier_app__payouts",
    "couriers/courier_earnings_weekly",
    "couriers/shift_utilisation",
    "couriers/payout_reconciliation",
}
RUN_STEP, TEST_STEP = "couriers_dbt_models", "couriers_dbt_tests"
PAYOUT_STATUS = (
    "accepted_values_payout_reconciliation_status__matched__amount_mismatch__unmatched_orders"
)


def run(defs: dg.Definitions, job: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)


def succeeded_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_success and e.step_key]


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {m.asset_key.to_user_string() for m in result.asset_materializations_for_node(RUN_STEP)}


def rows(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    return warehouse.query_arrow(sql).to_pylist()


def cents(amount: Decimal) -> int:
    return int(amount * 100)


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_run_and_test_are_separate_steps_and_the_marts_match_the_truth(
    target: str,
    request: pytest.FixtureRequest,
    upstream: tuple[Path, dict[str, Any]],
    truth: dict[str, Any],
    instance: dg.DagsterInstance,
) -> None:
    if target == "postgres":  # the same raw tables, in a fresh Postgres database
        url = request.getfixturevalue("postgres_warehouse")
        assert "courier_app.deliveries" in copy_tables(upstream[0], Warehouse(url=url))
    warehouse: Warehouse = request.getfixturevalue("warehouse")
    transform_defs: dg.Definitions = request.getfixturevalue("transform_defs")
    assert warehouse.dialect == target
    result = run(transform_defs, "dbt_run_and_test", instance)

    assert result.success
    assert succeeded_steps(result) == [RUN_STEP, TEST_STEP]
    assert materialized(result) == MODELS
    evaluations = result.get_asset_check_evaluations()
    assert {dg.AssetCheckKey(e.asset_key, e.check_name) for e in evaluations} == set(CHECKS)
    assert all(e.passed for e in evaluations)

    earned: dict[str, int] = defaultdict(int)
    for row in rows(
        warehouse, "select courier_id, earnings, fees, tips from couriers.courier_earnings_weekly"
    ):
        assert row["earnings"] == row["fees"] + row["tips"]
        earned[row["courier_id"]] += cents(row["earnings"])
    by_courier = truth["couriers"]["by_courier"]
    assert earned == {c: t["earned_cents"] for c, t in by_courier.items() if t["deliveries"]}

    payouts = rows(warehouse, "select * from couriers.payout_reconciliation")
    assert len(payouts) == truth["couriers"]["payouts"]["count"]
    assert {p["status"] for p in payouts} == {"matched"}
    paid: dict[str, int] = defaultdict(int)
    for payout in payouts:
        paid[payout["courier_id"]] += cents(payout["payout_amount"])
    assert paid == {c: t["paid_out_cents"] for c, t in by_courier.items() if t["paid_out_cents"]}

    [shifts] = rows(
        warehouse,
        "select count(*) as n, sum(shift_hours) * 3600 as seconds, min(utilisation) as lo,"
        " max(utilisation) as hi from couriers.shift_utilisation",
    )
    assert shifts["n"] == truth["couriers"]["shifts"]["completed"]
    assert float(shifts["seconds"]) == pytest.approx(truth["couriers"]["shifts"]["worked_seconds"])
    assert 0 < shifts["lo"] <= shifts["hi"] <= 1


def test_tampered_deliveries_and_orders_show_in_the_payout_reconciliation(
    transform_defs: dg.Definitions, warehouse: Warehouse, instance: dg.DagsterInstance
) -> None:
    # One delivery of one payout a cent dearer; one delivered order of another payout unknown
    # to analytics.
    [first, second] = rows(
        warehouse,
        "select p.payout_id, min(d.delivery_id) as delivery_id, min(d.order_id) as order_id"
        " from courier_app.payouts p join courier_app.deliveries d"
        " on d.courier_id = p.courier_id"
        " and cast(d.delivered_at at time zone 'UTC' as date) between p.period_start"
        " and p.period_end group by p.payout_id order by p.payout_id limit 2",
    )
    warehouse.execute(
        "update courier_app.deliveries set fee = fee + 0.01 where delivery_id = ?",
        [first["delivery_id"]],
    )
    warehouse.execute("delete from analytics.orders where order_id = ?", [second["order_id"]])

    result = run(transform_defs, "dbt_run", instance)

    assert result.success
    assert succeeded_steps(result) == [RUN_STEP]
    assert result.get_asset_check_evaluations() == []
    status = {
        r["payout_id"]: (
            r["status"],
            r["difference"],
            r["delivered_deliveries"] - r["matched_orders"],
        )
        for r in rows(
            warehouse,
            "select *, delivered_deliveries - matched_orders as unmatched"
            " from couriers.payout_reconciliation",
        )
    }
    assert status.pop(first["payout_id"]) == ("amount_mismatch", Decimal("-0.01"), 0)
    assert status.pop(second["payout_id"]) == ("unmatched_orders", Decimal("0.00"), 1)
    assert {s for s, _, _ in status.values()} == {"matched"}


def test_a_test_only_run_fails_the_dbt_checks_of_tampered_rows_without_rebuilding(
    transform_defs: dg.Definitions, warehouse: Warehouse, instance: dg.DagsterInstance
) -> None:
    assert run(transform_defs, "dbt_run", instance).success
    # A mart row changed behind dbt's back, and a delivery loaded twice (staging is a view).
    warehouse.execute(
        "update couriers.payout_reconciliation set status = 'paid_twice'"
        " where payout_id = (select min(payout_id) from couriers.payout_reconciliation)"
    )
    warehouse.execute(
        "insert into courier_app.deliveries select * from courier_app.deliveries"
        " where delivery_id = (select min(delivery_id) from courier_app.deliveries)"
    )

    result = run(transform_defs, "dbt_test", instance)

    assert succeeded_steps(result) == []  # the failed checks are blocking: the step fails
    assert [e.step_key for e in result.all_events if e.is_step_failure] == [TEST_STEP]
    assert result.asset_materializations_for_node(RUN_STEP) == []
    bad = failed_check(result, "couriers/payout_reconciliation", PAYOUT_STATUS)
    assert bad.metadata["dagster_dbt/failed_row_count"].value == 1
    failed_check(
        result,
        "couriers_staging/stg_courier_app__deliveries",
        "unique_stg_courier_app__deliveries_delivery_id",
    )
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert len(failed) == 2
    # still the tampered row: nothing was rebuilt
    assert rows(
        warehouse,
        "select count(*) as n from couriers.payout_reconciliation where status = 'paid_twice'",
    ) == [{"n": 1}]


def test_a_run_of_some_models_builds_them_and_runs_no_data_test(
    transform_defs: dg.Definitions, warehouse: Warehouse, instance: dg.DagsterInstance
) -> None:
    # what the demo runs before the analytics orders exist (a UI selection runs the same way):
    # every model but the payout reconciliation, with the data tests of those models
    subset = [dg.AssetKey(key.split("/")) for key in MODELS if "payout_reconciliation" not in key]
    job = transform_defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, asset_selection=subset)
    assert result.success
    assert materialized(result) == {k.to_user_string() for k in subset}
    assert rows(warehouse, "select count(*) as n from couriers.courier_earnings_weekly")[0]["n"]
    checks = {e.asset_key.to_user_string() for e in result.get_asset_check_evaluations()}
    assert checks == {k.to_user_string() for k in subset}  # the tests of these models only
