"""Load one partner export file: validate in DuckDB, replace that file's rows atomically.

A file no retry can load (it does not parse, lacks a column, or a column has the wrong type)
raises `UnloadableFile`; `set_aside` replaces the file's rows with one reject naming it.
"""

import datetime as dt
import json
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.rejects import (
    REJECTS_SCHEMA,
    REJECTS_TABLE,
    Reason,
    reject_sql,
    stamp,
)
from fernway_core.warehouse import Replacement, Warehouse

SOURCE = "partner_exports"
FILE_ENTITY = "partner_export_files"  # the entity of a reject that stands for a whole file


def _text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_floating(t)


KINDS: dict[str, Callable[[pa.DataType], bool]] = {  # each required column and its Arrow kind
    "order_id": _text,
    "partner": _text,
    "city_id": _text,
    "ordered_at": pa.types.is_timestamp,
    "items": pa.types.is_integer,
    "amount": _number,
}
REQUIRED = tuple(KINDS)
ORDERS_SCHEMA = pa.schema(  # raw.partner_orders, without the `_loaded_at` stamp
    [
        ("order_id", pa.string()),
        ("partner", pa.string()),
        ("city_id", pa.string()),
        ("ordered_at", pa.timestamp("us")),
        ("items", pa.int32()),
        ("amount", pa.decimal128(12, 2)),
        ("order_date", pa.date32()),
        ("_source_file", pa.string()),
    ]
)
_RULES = (  # (broken when, reason, field, offending value): the first that holds is reported
    ("order_id is null", Reason.NULL_KEY, "order_id", None),
    ("ordered_at is null", Reason.NULL_FIELD, "ordered_at", None),
    ("amount is null", Reason.NULL_FIELD, "amount", None),
    ("amount < 0", Reason.NEGATIVE_AMOUNT, "amount", "amount"),
    ("items is null", Reason.NULL_FIELD, "items", None),
    ("items <= 0", Reason.NON_POSITIVE_COUNT, "items", "items"),
)
_REJECT = (
    "case " + " ".join(f"when {when} then {reject_sql(*rule)}" for when, *rule in _RULES) + " end"
)
_ROW = "to_json(struct_pack(" + ", ".join(REQUIRED) + "))::varchar"
_FILE_REJECTS = "source = ? and partition_key = ?"  # a file's rejects: partition_key is its key


class UnloadableFile(Exception):
    """An export file that no retry can load; it is set aside with a reason, not raised."""

    def __init__(
        self,
        key: str,
        reason: Reason,
        detail: str,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(f"{key}: {detail}")
        self.key, self.reason, self.detail = key, reason, detail
        self.field, self.value = field, value  # the column to blame and its offending type


def parse_export(body: bytes, key: str) -> pa.Table:
    """The file's bytes as Arrow; empty, non-Parquet or truncated bytes are `unreadable_file`."""
    try:
        return pq.read_table(pa.BufferReader(body))
    except (pa.ArrowException, OSError) as exc:  # parsing bytes in memory: the bytes are bad
        detail = " ".join(str(exc).split())[:300]
        raise UnloadableFile(key, Reason.UNREADABLE_FILE, detail) from exc


def check_columns(table: pa.Table, key: str) -> None:
    """Every required column is present and of its kind (text, timestamp, integer, number)."""
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        detail = f"export is missing column(s) {', '.join(missing)}"
        raise UnloadableFile(key, Reason.MISSING_FIELD, detail, field=", ".join(missing))
    for column, is_kind in KINDS.items():
        kind = table.schema.field(column).type
        if not is_kind(kind):
            detail = f"column {column} has type {kind}"
            raise UnloadableFile(key, Reason.WRONG_TYPE, detail, field=column, value=str(kind))


def split_export(table: pa.Table, key: str) -> tuple[pa.Table, pa.Table]:
    """Valid rows (typed, with order_date) and rejects (reason code, field, value) of one file."""
    check_columns(table, key)
    con = duckdb.connect()
    try:
        con.register("export", table.select(list(REQUIRED)))
        con.execute(f"create temp table checked as select *, {_REJECT} as reject from export")
        valid = con.sql(
            "select order_id, partner, city_id, "
            "cast(timezone('UTC', ordered_at) as timestamp) as ordered_at, "
            "cast(items as integer) as items, cast(amount as decimal(12, 2)) as amount, "
            "cast(timezone('UTC', ordered_at) as date) as order_date, "
            "? as _source_file from checked where reject is null "
            "qualify row_number() over (partition by order_id order by ordered_at) = 1",
            params=[key],
        ).to_arrow_table()
        rejects = con.sql(
            "select ? as source, 'partner_orders' as entity, "
            "order_id as record_key, reject.reason, reject.field, reject.value, "
            f"{_ROW} as payload, ? as partition_key from checked where reject is not null",
            params=[SOURCE, key],
        ).to_arrow_table()
    finally:
        con.close()
    return valid.cast(ORDERS_SCHEMA), rejects.cast(REJECTS_SCHEMA)


def _replace(warehouse: Warehouse, key: str, valid: pa.Table, rejects: pa.Table) -> None:
    """The file's rows and rejects, replaced in one transaction."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    warehouse.replace_many(
        [
            Replacement("raw.partner_orders", stamp(valid, now), "_source_file = ?", [key]),
            Replacement(REJECTS_TABLE, stamp(rejects, now), _FILE_REJECTS, [SOURCE, key]),
        ]
    )


def load_export_file(
    exports: ExportsBucket, warehouse: Warehouse, key: str
) -> tuple[pa.Table, pa.Table]:
    """Replace every row that came from `key` (and its rejects) in one transaction."""
    valid, rejects = split_export(parse_export(exports.read_bytes(key), key), key)
    _replace(warehouse, key, valid, rejects)
    return valid, rejects


def set_aside(warehouse: Warehouse, problem: UnloadableFile) -> None:
    """The file's rows become none and its rejects one row naming the file and the reason.

    A key overwritten by an unreadable version thus loses the rows of its earlier version: the
    warehouse holds what the bucket holds now, and the reject says why nothing is loaded.
    """
    reject = {
        "source": SOURCE,
        "entity": FILE_ENTITY,
        "record_key": problem.key,
        "reason": str(problem.reason),
        "field": problem.field,
        "value": problem.value,
        "payload": json.dumps({"file": problem.key, "error": problem.detail}),
        "partition_key": problem.key,
    }
    rejects = pa.Table.from_pylist([reject], schema=REJECTS_SCHEMA)
    _replace(warehouse, problem.key, ORDERS_SCHEMA.empty_table(), rejects)
