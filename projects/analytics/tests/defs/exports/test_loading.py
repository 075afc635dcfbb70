"""Bad rows in a partner export land in rejects with a reason; a broken file is one clear error."""

import datetime as dt
from decimal import Decimal

import dagster as dg
import pyarrow as pa
import pytest

from fernway_analytics.defs.exports.loading import split_export

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


def test_bad_rows_are_rejected_with_reasons_and_good_rows_kept():
    table = _export(
        [_row("pto_1"), _row(None), _row("pto_3", amount="-5.00"), _row("pto_4", items=0)]
    )
    valid, rejects = split_export(table, KEY)
    assert valid.column("order_id").to_pylist() == ["pto_1"]
    assert valid.column("order_date").to_pylist() == [dt.date(2026, 8, 1)]
    assert valid.column("_source_file").to_pylist() == [KEY]
    assert sorted(rejects.column("reason").to_pylist()) == [
        "negative amount: -5.00",
        "non-positive items",
        "null key order_id",
    ]
    assert set(rejects.column("partition_key").to_pylist()) == {KEY}


def test_a_duplicated_order_in_one_file_is_loaded_once():
    valid, rejects = split_export(_export([_row("pto_1"), _row("pto_1")]), KEY)
    assert valid.num_rows == 1
    assert rejects.num_rows == 0


def test_a_file_missing_a_column_fails_with_one_line():
    table = _export([_row()]).drop_columns(["amount"])
    with pytest.raises(dg.Failure) as failure:
        split_export(table, KEY)
    assert failure.value.description == f"{KEY}: export is missing column(s) amount"
