"""The platform's rejects convention: bad records land in `raw.rejects` with a reason code."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

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


class Reason(StrEnum):
    """Why a record was rejected: the stable `reason` code of `raw.rejects`."""

    MISSING_FIELD = "missing_field"
    NULL_KEY = "null_key"
    NULL_FIELD = "null_field"
    WRONG_TYPE = "wrong_type"
    NEGATIVE_AMOUNT = "negative_amount"
    NON_POSITIVE_COUNT = "non_positive_count"
    UNREADABLE_FILE = "unreadable_file"
    DUPLICATE = "duplicate"
    UNDECLARED_FIELD = "undeclared_field"


REASONS: dict[Reason, str] = {
    Reason.MISSING_FIELD: "a required field is absent from the record",
    Reason.NULL_KEY: "the record's key is null",
    Reason.NULL_FIELD: "a required field is null",
    Reason.WRONG_TYPE: "the value does not cast to the field's type",
    Reason.NEGATIVE_AMOUNT: "a field that must be ≥ 0 (amount, quantity, measure) is negative",
    Reason.NON_POSITIVE_COUNT: "a count that must be ≥ 1 (e.g. an export's `items`) is 0 or less",
    Reason.UNREADABLE_FILE: (
        "a whole file does not parse in its format (empty, another format, cut short); "
        "its one reject names the file"
    ),
    Reason.DUPLICATE: (
        "an exact copy of a record already received in the same batch; the first is kept, "
        "`value` is the copy's key"
    ),
    Reason.UNDECLARED_FIELD: (
        "the record carries a field its contract does not declare; `field` names it, `value` "
        "holds its value"
    ),
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
