"""Bad rows in a partner export land in rejects with a reason code; a broken file is one error."""

import datetime as dt
import json
from decimal import Decimal

import dagster as dg
import pyarrow as pa
import pytest

from fernway_analytics.defs.exports.loading import REQUIRED, split_export
from fernway_core.rejects import REJECTS_SCHEMA

KEY = "partner_orders/dt=2026-08-01/partner_orders_20260801.parquet"
WHEN = dt.datetime(2026, 8, 1, 12, tzinfo=dt.UTC)


def _export(rows: list[dict]) -> pa.Table:
    schema = pa.schema(
        [
            ("order_id", pa.string()),
            ("partner", pa.string()),
            ("city_id", pa.string()),
            ("ordered_at", pa.timestamp("us", tz="UTC")),
            ("items", pa.int32()),
            ("amount", pa.decimal128(12, 2)),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _row(order_id: str | None = "pto_1", amount: str = "10.00", items: int = 1) -> dict:
    return {
        "order_id": order_id,
        "partner": "acme",
        "city_id": "lis",
        "ordered_at": WHEN,
        "items": items,
        "amount": Decimal(amount),
    }


def test_bad_rows_are_rejected_with_codes_and_good_rows_kept():
    table = _export(
        [_row("pto_1"), _row(None), _row("pto_3", amount="-5.00"), _row("pto_4", items=0)]
    )
    valid, rejects = split_export(table, KEY)
    assert valid.column("order_id").to_pylist() == ["pto_1"]
    assert valid.column("order_date").to_pylist() == [dt.date(2026, 8, 1)]
    assert valid.column("_source_file").to_pylist() == [KEY]
    got = sorted(
        (r["record_key"] or "", r["reason"], r["field"], r["value"]) for r in rejects.to_pylist()
    )
    assert got == [
        ("", "null_key", "order_id", None),
        ("pto_3", "negative_amount", "amount", "-5.00"),
        ("pto_4", "non_positive_count", "items", "0"),
    ]
    assert set(rejects.column("partition_key").to_pylist()) == {KEY}
    assert rejects.schema == REJECTS_SCHEMA


def test_two_different_negative_amounts_share_the_reason_negative_amount():
    rows = [_row("pto_1", amount="-10.60"), _row("pto_2", amount="-3.00")]
    _, rejects = split_export(_export(rows), KEY)
    assert set(rejects.column("reason").to_pylist()) == {"negative_amount"}
    assert sorted(rejects.column("value").to_pylist()) == ["-10.60", "-3.00"]


def test_a_reject_payload_is_the_export_row_alone():
    _, rejects = split_export(_export([_row("pto_3", amount="-5.00")]), KEY)
    payload = json.loads(rejects.column("payload")[0].as_py())
    assert set(payload) == set(REQUIRED)
    assert payload["order_id"] == "pto_3"


def test_a_duplicated_order_in_one_file_is_loaded_once():
    valid, rejects = split_export(_export([_row("pto_1"), _row("pto_1")]), KEY)
    assert valid.num_rows == 1
    assert rejects.num_rows == 0


def test_a_file_missing_a_column_fails_with_one_line():
    table = _export([_row()]).drop_columns(["amount"])
    with pytest.raises(dg.Failure) as failure:
        split_export(table, KEY)
    assert failure.value.description == f"{KEY}: export is missing column(s) amount"
