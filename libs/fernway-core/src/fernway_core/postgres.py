"""Postgres specifics of the warehouse: connect, COPY Arrow in, read results out as Arrow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from fernway_core.sql import quote_ident, to_pyformat

if TYPE_CHECKING:
    import psycopg

COPY_BATCH_ROWS = 100_000
# Postgres type OIDs -> Arrow types, so empty results and NULL-only columns keep their types.
_OID_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    700: pa.float32(),
    701: pa.float64(),
    1042: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}
_NUMERIC = 1700


def connect(url: str) -> psycopg.Connection:
    """A new connection in UTC, outside autocommit (commit/rollback is the caller's)."""
    import psycopg

    return psycopg.connect(url, options="-c TimeZone=UTC")


def execute(conn: psycopg.Connection, sql: str, params: Any = None) -> psycopg.Cursor:
    """Run one statement; `?` placeholders work as in DuckDB."""
    if params is None:
        return conn.execute(sql)
    return conn.execute(to_pyformat(sql), params)


def copy_in(conn: psycopg.Connection, table: str, data: pa.Table) -> None:
    """Bulk-load an Arrow table with COPY FROM STDIN (CSV written by pyarrow, batch by batch)."""
    columns = ", ".join(quote_ident(name) for name in data.column_names)
    statement = f"copy {quote_ident(table)} ({columns}) from stdin (format csv)"
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for batch in data.to_batches(max_chunksize=COPY_BATCH_ROWS):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(batch, sink, options)
            copy.write(sink.getvalue())


def to_arrow(cur: psycopg.Cursor) -> pa.Table:
    """The cursor's whole result as an Arrow table, typed from the column descriptions."""
    description = cur.description or []
    rows = cur.fetchall()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in description]
    arrays = [_array(col, vals) for col, vals in zip(description, values, strict=True)]
    return pa.Table.from_arrays(arrays, names=[col.name for col in description])


def _array(column: Any, values: tuple) -> pa.Array:
    dtype = _OID_TYPES.get(column.type_code)
    if column.type_code == _NUMERIC and column.precision:
        dtype = pa.decimal128(column.precision, column.scale or 0)
    return pa.array(values, type=dtype) if dtype else pa.array(values)
