"""Partner export files: each validated on its own in DuckDB, then all written in one transaction.

A file no retry can load (it does not parse, lacks a column, or a column has the wrong type)
raises `UnloadableFile`; `write_files` then gives it no rows and one reject naming it.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

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
ORDERS_TABLE = "raw.partner_orders"
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
_FILE_REJECTS = "source = ? and partition_key = any(?)"  # files' rejects: partition_key = key


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


@contextmanager
def validator() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory DuckDB to validate a run's files in (opening one costs ~50 ms)."""
    con = duckdb.connect()
    try:
        yield con
    finally:
        con.close()


def split_export(
    table: pa.Table, key: str, con: duckdb.DuckDBPyConnection | None = None
) -> tuple[pa.Table, pa.Table]:
    """Valid rows (typed, with order_date) and rejects (reason code, field, value) of one file.

    Validated in `con` (a `validator()`), or in a DuckDB of its own without one.
    """
    check_columns(table, key)
    if con is None:
        with validator() as own:
            return split_export(table, key, own)
    con.register("export", table.select(list(REQUIRED)))
    try:
        con.execute(
            f"create or replace temp table checked as select *, {_REJECT} as reject from export"
        )
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
        con.execute("drop table if exists checked")
        con.unregister("export")
    return valid.cast(ORDERS_SCHEMA), rejects.cast(REJECTS_SCHEMA)


@dataclass(frozen=True)
class CheckedFile:
    """One export file read and validated: its valid rows and its row rejects, not yet written."""

    key: str
    valid: pa.Table
    rejects: pa.Table


def check_export_file(
    exports: ExportsBucket, key: str, con: duckdb.DuckDBPyConnection | None = None
) -> CheckedFile:
    """Download, parse and validate one file (`UnloadableFile` when it can never load)."""
    valid, rejects = split_export(parse_export(exports.read_bytes(key), key), key, con)
    return CheckedFile(key, valid, rejects)


def file_reject(problem: UnloadableFile) -> pa.Table:
    """The one reject that stands for a file set aside: it names the file and the reason."""
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
    return pa.Table.from_pylist([reject], schema=REJECTS_SCHEMA)


def write_files(
    warehouse: Warehouse, checked: Sequence[CheckedFile], set_aside: Sequence[UnloadableFile]
) -> None:
    """Replace the rows and rejects of every given file in ONE transaction.

    Each file's earlier rows (`_source_file`) and rejects (`partition_key`) are deleted before
    the new ones are inserted, so a rerun or a replayed file replaces, never adds. A file set
    aside keeps no rows and one reject naming it: a key overwritten by an unreadable version
    loses the rows of its earlier version (the warehouse holds what the bucket holds now).
    """
    keys = [f.key for f in checked] + [p.key for p in set_aside]
    if not keys:
        return
    if len(set(keys)) != len(keys):
        raise ValueError("each file may be written once per transaction")
    orders = pa.concat_tables([ORDERS_SCHEMA.empty_table(), *(f.valid for f in checked)])
    rejects = pa.concat_tables(
        [
            REJECTS_SCHEMA.empty_table(),
            *(f.rejects for f in checked),
            *(file_reject(p) for p in set_aside),
        ]
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    warehouse.replace_many(
        [
            Replacement(ORDERS_TABLE, stamp(orders, now), "_source_file = any(?)", [keys]),
            Replacement(REJECTS_TABLE, stamp(rejects, now), _FILE_REJECTS, [SOURCE, keys]),
        ]
    )
