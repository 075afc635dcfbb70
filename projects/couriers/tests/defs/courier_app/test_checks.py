"""Every courier_app check fails when its table is broken on purpose."""

from __future__ import annotations

import pytest

from fernway_couriers.defs.courier_app.contracts import BY_NAME
from fernway_devtools.pytest_plugin import add_rejects, evaluate_checks, failed_check
from tests.defs.courier_app.conftest import courier_warehouse, load

TABLES = ("couriers", "shifts", "deliveries", "payouts")


@pytest.mark.fails_check("courier_app/couriers", "keys_unique_and_not_null")
@pytest.mark.fails_check("courier_app/shifts", "keys_unique_and_not_null")
@pytest.mark.fails_check("courier_app/deliveries", "keys_unique_and_not_null")
@pytest.mark.fails_check("courier_app/payouts", "keys_unique_and_not_null")
def test_a_duplicated_key_fails_the_key_check(courier_app_sandbox, app_defs, instance):
    assert load(app_defs, instance, checks=False).success
    warehouse = courier_warehouse()
    for table in TABLES:  # one row copied (the id column is NOT NULL: no null key gets in)
        warehouse.execute(
            f"insert into courier_app.{table} select * from courier_app.{table} limit 1"
        )
    checks = [(f"courier_app/{t}", "keys_unique_and_not_null") for t in TABLES]
    result = evaluate_checks(app_defs, instance, checks)
    for table in TABLES:
        evaluation = failed_check(result, f"courier_app/{table}", "keys_unique_and_not_null")
        assert evaluation.metadata["duplicated_keys"].value == 1
        assert evaluation.metadata["null_keys"].value == 0


@pytest.mark.fails_check("courier_app/couriers", "reconciles_with_api")
@pytest.mark.fails_check("courier_app/shifts", "reconciles_with_api")
@pytest.mark.fails_check("courier_app/deliveries", "reconciles_with_api")
@pytest.mark.fails_check("courier_app/payouts", "reconciles_with_api")
def test_rows_lost_after_the_load_fail_the_reconciliation(courier_app_sandbox, app_defs, instance):
    assert load(app_defs, instance, checks=False).success
    warehouse = courier_warehouse()
    for table in TABLES:  # the load's rows, lost behind its back
        key = BY_NAME[table].key
        warehouse.execute(
            f"delete from courier_app.{table} where {key} in "
            f"(select {key} from courier_app.{table} order by {key} limit 2)"
        )
    checks = [(f"courier_app/{t}", "reconciles_with_api") for t in TABLES]
    result = evaluate_checks(app_defs, instance, checks)
    for table in TABLES:
        evaluation = failed_check(result, f"courier_app/{table}", "reconciles_with_api")
        meta = {k: v.value for k, v in evaluation.metadata.items()}
        assert meta["rows_written_by_the_load"] == meta["merged"] - 2
        assert meta["unaccounted"] == 0  # the API side balanced; the table lost them


@pytest.mark.fails_check("courier_app/shifts", "references_resolve")
@pytest.mark.fails_check("courier_app/deliveries", "references_resolve")
@pytest.mark.fails_check("courier_app/payouts", "references_resolve")
def test_a_courier_or_shift_missing_fails_the_reference_checks(
    courier_app_sandbox, app_defs, instance
):
    assert load(app_defs, instance, checks=False).success
    warehouse = courier_warehouse()
    warehouse.execute(  # a courier with shifts, deliveries and payouts, and one shift
        "delete from courier_app.couriers where courier_id = "
        "(select courier_id from courier_app.payouts order by payout_id limit 1)"
    )
    warehouse.execute(
        "delete from courier_app.shifts where shift_id = "
        "(select max(shift_id) from courier_app.deliveries)"
    )
    checks = [
        (f"courier_app/{t}", "references_resolve") for t in ("shifts", "deliveries", "payouts")
    ]
    result = evaluate_checks(app_defs, instance, checks)
    shifts = failed_check(result, "courier_app/shifts", "references_resolve")
    assert shifts.metadata["orphan_courier_id"].value > 0
    deliveries = failed_check(result, "courier_app/deliveries", "references_resolve")
    assert deliveries.metadata["orphan_shift_id"].value > 0
    assert deliveries.metadata["orphan_courier_id"].value > 0
    payouts = failed_check(result, "courier_app/payouts", "references_resolve")
    assert payouts.metadata["orphan_courier_id"].value >= 1


@pytest.mark.fails_check("courier_app/couriers", "no_rejected_records")
@pytest.mark.fails_check("courier_app/shifts", "no_rejected_records")
@pytest.mark.fails_check("courier_app/deliveries", "no_rejected_records")
@pytest.mark.fails_check("courier_app/payouts", "no_rejected_records")
def test_rejected_records_fail_the_rejects_check(platform_env, app_defs, instance):
    for table in TABLES:
        add_rejects(courier_warehouse(), "courier_app", table, ["null_key", "wrong_type"])
    checks = [(f"courier_app/{t}", "no_rejected_records") for t in TABLES]
    result = evaluate_checks(app_defs, instance, checks)
    for table in TABLES:
        evaluation = failed_check(result, f"courier_app/{table}", "no_rejected_records")
        assert evaluation.metadata["by_reason"].value == {"null_key": 1, "wrong_type": 1}
