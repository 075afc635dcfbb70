"""The platform's rejects convention: bad records land in `raw.rejects` with a reason code."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fernway_core.sql import quote_ident, split_table
from fernway_core.warehouse import Warehouse

REJECTS_TABLE = "raw.rejects"
REJECTS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("entity", pa.string()),
        ("record_key", pa.string()),
        ("reason", pa.string()),  # a `Reason` code: group by it
        ("field", pa.string()),  # the field (column) that broke the contract
        ("value", pa.string()),  # its offending value as text (NULL when absent or null)
        ("payload", pa.string()),
        ("partition_key", pa.string()),
    ]
)
_ADDED_COLUMNS = ("field", "value")  # newer than the first `raw.rejects`: see upgrade_rejects_table


class Reason(StrEnum):
    """Why a record was rejected: the stable `reason` code of `raw.rejects`."""

    MISSING_FIELD = "missing_field"
    NULL_KEY = "null_key"
    NULL_FIELD = "null_field"
    WRONG_TYPE = "wrong_type"
    NEGATIVE_AMOUNT = "negative_amount"
    NON_POSITIVE_COUNT = "non_positive_count"


REASONS: dict[Reason, str] = {
    Reason.MISSING_FIELD: "a required field is absent from the record",
    Reason.NULL_KEY: "the record's key is null",
    Reason.NULL_FIELD: "a required field is null",
    Reason.WRONG_TYPE: "the value does not cast to the field's type",
    Reason.NEGATIVE_AMOUNT: "a field that must be ≥ 0 (amount, quantity, measure) is negative",
    Reason.NON_POSITIVE_COUNT: "a count that must be ≥ 1 (e.g. an export's `items`) is 0 or less",
}


def reasons_markdown() -> str:
    """The reason codes as a Markdown table (the fernway-core README is checked against it)."""
    lines = ["| `reason` | Meaning |", "| --- | --- |"]
    lines += [f"| `{reason}` | {meaning} |" for reason, meaning in REASONS.items()]
    return "\n".join(lines)


def reject_sql(reason: Reason, field: str, value_sql: str | None = None) -> str:
    """A DuckDB struct {reason, field, value} for one broken rule; `value_sql` is an expression."""
    value = f"cast({value_sql} as varchar)" if value_sql else "cast(null as varchar)"
    return f"{{'reason': {_literal(reason)}, 'field': {_literal(field)}, 'value': {value}}}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def stamp(table: pa.Table, loaded_at: dt.datetime, **constants: object) -> pa.Table:
    """Append `_loaded_at` and constant columns (one value for every row)."""
    for name, value in {**constants, "_loaded_at": loaded_at}.items():
        table = table.append_column(name, pa.array([value] * table.num_rows))
    return table


def fill_partition(rejects: pa.Table, default: str) -> pa.Table:
    """Rejects whose partition could not be read from the record get the run's first day."""
    index = rejects.schema.get_field_index("partition_key")
    filled = pc.fill_null(rejects["partition_key"], pa.scalar(default, pa.string()))
    return rejects.set_column(index, "partition_key", filled)


def upgrade_rejects_table(warehouse: Warehouse, table: str = REJECTS_TABLE) -> None:
    """Add the columns an existing rejects table predates; call before writing rejects.

    `Warehouse.replace_many` creates a missing table from the Arrow schema but never alters an
    existing one, and an insert naming a column the table lacks fails (DuckDB and Postgres).
    """
    schema, name = split_table(table, "")
    if not schema:
        raise ValueError(f"the rejects table must be schema-qualified, got {table!r}")
    have = warehouse.query_arrow(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, name],
    ).column("column_name")
    columns = set(have.to_pylist())
    if not columns:
        return  # not created yet: replace_many creates it with every column
    for column in _ADDED_COLUMNS:
        if column not in columns:
            warehouse.execute(
                f"alter table {quote_ident(table)} add column {quote_ident(column)} varchar"
            )


def build_rejects_check(
    asset_key: dg.AssetKey, source: str, entity: str
) -> dg.AssetChecksDefinition:
    """A warning check that fails visibly whenever records of this entity were rejected."""

    @dg.asset_check(
        asset=asset_key,
        name="no_rejected_records",
        description=f"No {source} {entity} record was rejected (see {REJECTS_TABLE}).",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        rows = warehouse.query_arrow(
            f"select reason, count(*) as n from {REJECTS_TABLE} "
            "where source = ? and entity = ? group by reason order by n desc",
            [source, entity],
        ).to_pylist()
        total = sum(r["n"] for r in rows)
        return dg.AssetCheckResult(
            passed=total == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rejected": total, "by_reason": {r["reason"]: r["n"] for r in rows[:20]}},
        )

    return _check
