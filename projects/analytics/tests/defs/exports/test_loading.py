"""Bad rows of a partner export become rejects with a reason code; a file that cannot load at all
raises one `UnloadableFile` naming the reason (and the column, when one is to blame)."""

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fernway_analytics.defs.exports.loading import (
    REQUIRED,
    UnloadableFile,
    parse_export,
    split_export,
)
from fernway_core.rejects import REJECTS_SCHEMA, Reason

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


def test_a_file_missing_a_column_is_unloadable_naming_the_column():
    table = _export([_row()]).drop_columns(["amount"])
    with pytest.raises(UnloadableFile) as bad:
        split_export(table, KEY)
    assert (bad.value.reason, bad.value.field) == (Reason.MISSING_FIELD, "amount")
    assert str(bad.value) == f"{KEY}: export is missing column(s) amount"


def test_a_column_of_the_wrong_type_is_unloadable_naming_the_column_and_its_type():
    table = _export([_row()]).drop_columns(["amount"]).append_column("amount", pa.array(["10"]))
    with pytest.raises(UnloadableFile) as bad:
        split_export(table, KEY)
    assert (bad.value.reason, bad.value.field, bad.value.value) == (
        Reason.WRONG_TYPE,
        "amount",
        "string",
    )


def _parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


WHOLE = _parquet(_export([_row(f"pto_{n}") for n in range(50)]))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="zero-bytes"),
        pytest.param(b"order_id,amount\npto_1,9.99\n", id="csv"),
        pytest.param(WHOLE[: len(WHOLE) // 2], id="cut-in-half"),
        pytest.param(WHOLE[100:], id="head-missing"),
    ],
)
def test_bytes_that_are_not_a_whole_parquet_file_are_unreadable(body):
    with pytest.raises(UnloadableFile) as bad:
        parse_export(body, KEY)
    assert bad.value.reason == Reason.UNREADABLE_FILE
    assert bad.value.detail
    assert "\n" not in bad.value.detail  # one line


def test_a_whole_parquet_file_parses():
    assert parse_export(WHOLE, KEY).num_rows == 50
