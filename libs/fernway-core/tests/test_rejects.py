"""The rejects convention: a documented vocabulary of reason codes, and old tables upgraded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from conftest import Case

from fernway_core.rejects import (
    REASONS,
    REJECTS_SCHEMA,
    Reason,
    reasons_markdown,
    stamp,
)

README = Path(__file__).resolve().parents[1] / "README.md"
NOW = dt.datetime(2026, 8, 1, 12)
OLD_COLUMNS = ("source", "entity", "record_key", "reason", "payload", "partition_key")


def _rejects(reason: str = "negative_amount", value: str | None = "-10.60") -> pa.Table:
    row = {
        "source": "marketplace",
        "entity": "orders",
        "record_key": "ord_1",
        "reason": reason,
        "field": "amount",
        "value": value,
        "payload": "{}",
        "partition_key": "2026-08-01",
    }
    return stamp(pa.Table.from_pylist([row], schema=REJECTS_SCHEMA), NOW)


def test_every_reason_code_is_described_and_documented_in_the_readme():
    assert set(REASONS) == set(Reason)
    assert all(REASONS.values())
    assert reasons_markdown() in README.read_text()


def test_reason_codes_are_lowercase_snake_case_words():
    assert all(r.value == r.name.lower() for r in Reason)


def test_the_rejects_schema_keeps_the_field_and_value_beside_the_code():
    assert REJECTS_SCHEMA.names == [
        "source",
        "entity",
        "record_key",
        "reason",
        "field",
        "value",
        "payload",
        "partition_key",
    ]


def test_a_rejects_table_created_before_field_and_value_gains_them_on_the_next_write(
    case: Case,
):
    table = case.table("rejects")
    old = stamp(_rejects().select(list(OLD_COLUMNS)), NOW)
    case.warehouse.replace_rows(table, old)
    case.warehouse.replace_rows(table, _rejects())
    case.warehouse.replace_rows(table, _rejects())  # the second write finds the columns there
    rows = case.warehouse.query_arrow(f"select reason, field, value from {table}").to_pylist()
    assert rows == [{"reason": "negative_amount", "field": "amount", "value": "-10.60"}]


def test_two_negative_amounts_are_one_group(case: Case):
    table = case.table("rejects")
    both = pa.concat_tables([_rejects(value="-10.60"), _rejects(value="-3.00")])
    case.warehouse.replace_rows(table, both)
    groups = case.warehouse.query_arrow(
        f"select reason, count(*) as n from {table} group by reason"
    ).to_pylist()
    assert groups == [{"reason": "negative_amount", "n": 2}]
