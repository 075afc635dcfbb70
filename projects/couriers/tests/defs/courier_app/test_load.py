"""A load of the courier app equals the sandbox's truth, to the cent."""

from __future__ import annotations

from typing import Any

from fernway_core.warehouse import Warehouse
from tests.defs.courier_app.conftest import courier_warehouse, load, metadata


def cents(warehouse: Warehouse, sql: str) -> int:
    """A money sum from `sql` in integer cents."""
    (row,) = warehouse.query_arrow(sql).to_pylist()
    return round(row["v"] * 100)


def assert_matches_truth(warehouse: Warehouse, truth: dict[str, Any]) -> None:
    """Counts per entity, fee and tip cents, payout amounts: equal to the truth."""
    for table in ("couriers", "shifts", "deliveries", "payouts"):
        (row,) = warehouse.query_arrow(f"select count(*) as n from courier_app.{table}").to_pylist()
        assert row["n"] == truth[table]["count"], table
    deliveries = truth["deliveries"]
    assert (
        cents(warehouse, "select sum(fee) as v from courier_app.deliveries")
        == deliveries["fee_cents"]
    )
    assert (
        cents(warehouse, "select sum(tip) as v from courier_app.deliveries")
        == deliveries["tip_cents"]
    )
    payouts = truth["payouts"]
    assert (
        cents(warehouse, "select sum(amount) as v from courier_app.payouts")
        == payouts["amount_cents"]
    )
    paid = "select sum(amount) as v from courier_app.payouts where status = 'paid'"
    assert cents(warehouse, paid) == payouts["paid_cents"]
    per_courier = warehouse.query_arrow(
        "select courier_id, sum(amount) as v from courier_app.payouts group by courier_id"
    ).to_pylist()
    paid_out = {r["courier_id"]: round(r["v"] * 100) for r in per_courier}
    expected = {
        c: v["paid_out_cents"] for c, v in truth["by_courier"].items() if v["paid_out_cents"]
    }
    assert paid_out == expected


def test_a_load_equals_the_truth_and_every_check_passes(courier_app_sandbox, app_defs, instance):
    result = load(app_defs, instance)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 15
    assert all(e.passed for e in evaluations), [
        (e.asset_key.to_user_string(), e.check_name, e.metadata)
        for e in evaluations
        if not e.passed
    ]
    warehouse = courier_warehouse()
    assert_matches_truth(warehouse, courier_app_sandbox.truth["couriers"])
    meta = metadata(result, "deliveries")
    assert meta["dagster/row_count"] == courier_app_sandbox.truth["couriers"]["deliveries"]["count"]
    assert meta["dagster/table_name"].endswith("courier_app.deliveries")
    assert meta["records_rejected"] == 0
    assert meta["updated_since"] == "none (full read)"
    columns = {c.name: c.type for c in meta["dagster/column_schema"].columns}
    assert columns["fee"] == "decimal(12,2)"
    assert columns["updated_at"] == "timestamp with time zone"
