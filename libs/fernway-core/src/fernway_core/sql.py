"""SQL text helpers shared by both warehouse dialects: identifiers, DDL types, placeholders."""

from __future__ import annotations

import re

import pyarrow as pa

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTS = {8: "smallint", 16: "smallint", 32: "integer", 64: "bigint"}
_UINTS = {8: "smallint", 16: "integer", 32: "bigint", 64: "decimal(20,0)"}
# Quoted strings and identifiers pass through untouched; `?` and `%` outside them are rewritten.
_PLACEHOLDER_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def quote_ident(name: str) -> str:
    """Quote `table` or `schema.table`; anything but plain identifiers is rejected."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 2 or not all(_IDENT.fullmatch(p) for p in parts):
        raise ValueError(
            f"not a plain identifier: {name!r} (expected `table` or `schema.table`, "
            "letters, digits and underscores)"
        )
    return ".".join(f'"{p}"' for p in parts)


def split_table(name: str, default_schema: str) -> tuple[str, str]:
    """(schema, table) of a validated `table` or `schema.table` name."""
    quote_ident(name)
    schema, _, table = name.rpartition(".")
    return schema or default_schema, table


def sql_type(dtype: pa.DataType) -> str:
    """The SQL column type (valid in DuckDB and Postgres) that stores an Arrow type."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_null(dtype):
        return "varchar"
    if pa.types.is_string_view(dtype) or pa.types.is_dictionary(dtype):
        return "varchar"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_signed_integer(dtype):
        return _INTS[dtype.bit_width]
    if pa.types.is_unsigned_integer(dtype):
        return _UINTS[dtype.bit_width]
    if pa.types.is_floating(dtype):
        return "real" if dtype.bit_width == 32 else "double precision"
    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "timestamp with time zone" if dtype.tz else "timestamp"
    if pa.types.is_time(dtype):
        return "time"
    raise TypeError(f"no SQL column type for Arrow type {dtype}")


def create_table_sql(table: str, schema: pa.Schema) -> str:
    """`create table if not exists` with one column per Arrow field."""
    try:
        columns = ", ".join(f"{quote_ident(f.name)} {sql_type(f.type)}" for f in schema)
    except TypeError as exc:
        raise TypeError(f"cannot create {table}: {exc}") from None
    return f"create table if not exists {quote_ident(table)} ({columns})"


def to_pyformat(sql: str) -> str:
    """Rewrite `?` placeholders to psycopg's `%s` (and escape literal `%`)."""
    return _PLACEHOLDER_TOKENS.sub(
        lambda m: {"?": "%s", "%": "%%"}.get(m.group(0), m.group(0)), sql
    )
