"""Identifier quoting, Arrow-to-SQL types and placeholder rewriting (pure functions)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from fernway_core.sql import create_table_sql, quote_ident, sql_type, to_pyformat
from fernway_core.warehouse import Warehouse


def test_quote_ident_quotes_schema_and_table() -> None:
    assert quote_ident("raw.marketplace_orders") == '"raw"."marketplace_orders"'
    assert quote_ident("orders") == '"orders"'


@pytest.mark.parametrize(
    "name",
    [
        'raw.orders"; drop table raw.orders; --',
        "raw.orders; delete from x",
        "a.b.c",
        "raw.",
        "",
        "1abc",
        "raw orders",
        'raw."orders"',
    ],
)
def test_quote_ident_rejects_anything_but_plain_identifiers(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain identifier"):
        quote_ident(name)


def test_replace_rows_rejects_injection_in_table_name(tmp_path) -> None:
    warehouse = Warehouse(url=f"duckdb://{tmp_path / 'w.duckdb'}")
    with pytest.raises(ValueError, match="not a plain identifier"):
        warehouse.replace_rows("raw.t; drop table x", pa.table({"a": [1]}))


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (pa.decimal128(12, 2), "decimal(12,2)"),
        (pa.timestamp("us"), "timestamp"),
        (pa.timestamp("us", tz="UTC"), "timestamp with time zone"),
        (pa.date32(), "date"),
        (pa.string(), "varchar"),
        (pa.large_string(), "varchar"),
        (pa.int32(), "integer"),
        (pa.int64(), "bigint"),
        (pa.float64(), "double precision"),
        (pa.bool_(), "boolean"),
        (pa.null(), "varchar"),
    ],
)
def test_arrow_types_map_to_sql_types(dtype: pa.DataType, expected: str) -> None:
    assert sql_type(dtype) == expected


def test_unsupported_arrow_type_names_the_column() -> None:
    schema = pa.schema([("tags", pa.list_(pa.string()))])
    with pytest.raises(TypeError, match=r"cannot create raw\.t: .*list"):
        create_table_sql("raw.t", schema)


def test_placeholders_are_rewritten_outside_quotes_only() -> None:
    sql = "select '?', \"a?\" from t where x = ? and y like '50%' and z = ? and p % 2 = 0"
    assert to_pyformat(sql) == (
        "select '?', \"a?\" from t where x = %s and y like '50%' and z = %s and p %% 2 = 0"
    )
