"""Warehouse behaviour, run on DuckDB and on the real Postgres (see the `case` fixture)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import pyarrow as pa
import pytest
from conftest import Case

DAY1, DAY2 = dt.date(2026, 8, 1), dt.date(2026, 8, 2)


def orders(day: dt.date, ids: list[str], quantity: list | None = None) -> pa.Table:
    """A small orders table for one day."""
    n = len(ids)
    return pa.table(
        {
            "order_id": pa.array(ids, pa.string()),
            "quantity": pa.array(quantity or list(range(1, n + 1)), pa.int32()),
            "amount": pa.array([Decimal("12.50")] * n, pa.decimal128(12, 2)),
            "ordered_at": pa.array(
                [dt.datetime.combine(day, dt.time(12, 34))] * n, pa.timestamp("us")
            ),
            "order_date": pa.array([day] * n, pa.date32()),
            "score": pa.array([0.5] * n, pa.float64()),
        }
    )


def ids_in(case: Case, table: str) -> list[str]:
    """Sorted order ids of a table."""
    result = case.warehouse.query_arrow(f"select order_id from {table} order by order_id")
    return result.column("order_id").to_pylist()


def test_replace_rows_twice_does_not_duplicate(case: Case) -> None:
    table = case.table("orders")
    data = orders(DAY1, ["o1", "o2", "o3"])
    assert case.warehouse.replace_rows(table, data) == 3
    assert case.warehouse.replace_rows(table, data) == 3
    assert ids_in(case, table) == ["o1", "o2", "o3"]


def test_delete_where_replaces_only_that_partition(case: Case) -> None:
    table = case.table("orders")
    where = "order_date = ?"
    case.warehouse.replace_rows(table, orders(DAY1, ["a1", "a2"]), where, [DAY1])
    case.warehouse.replace_rows(table, orders(DAY2, ["b1", "b2"]), where, [DAY2])
    case.warehouse.replace_rows(table, orders(DAY1, ["a3"]), where, [DAY1])
    assert ids_in(case, table) == ["a3", "b1", "b2"]


def test_failed_insert_rolls_back_the_delete_too(case: Case) -> None:
    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1", "o2"]))
    bad = orders(DAY1, ["o3"]).set_column(1, "quantity", pa.array(["two"]))
    with pytest.raises(Exception, match=r"(?i)conver|invalid|cast|two"):
        case.warehouse.replace_rows(table, bad)
    assert ids_in(case, table) == ["o1", "o2"]


def test_replace_many_is_all_or_nothing(case: Case) -> None:
    from fernway_core.warehouse import Replacement

    good, other = case.table("orders"), case.table("rejects")
    case.warehouse.replace_rows(good, orders(DAY1, ["o1"]))
    with pytest.raises(Exception, match=r"(?i)conver|invalid|cast|two"):
        case.warehouse.replace_many(
            [
                Replacement(good, orders(DAY1, ["o2", "o3"])),
                Replacement(other, orders(DAY1, ["r1"])),
                Replacement(
                    other, orders(DAY1, ["r2"]).set_column(1, "quantity", pa.array(["two"]))
                ),
            ]
        )
    assert ids_in(case, good) == ["o1"]
    assert (
        case.warehouse.replace_many(
            [
                Replacement(good, orders(DAY1, ["o2"])),
                Replacement(other, orders(DAY2, ["r1", "r2"])),
            ]
        )
        == 3
    )
    assert ids_in(case, other) == ["r1", "r2"]


def test_query_arrow_binds_params_and_keeps_types(case: Case) -> None:
    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1", "o2"]))
    case.warehouse.replace_rows(
        table, orders(DAY2, ["x'; drop table t; --"]), "order_date = ?", [DAY2]
    )
    result = case.warehouse.query_arrow(
        f"select order_id, amount, ordered_at, order_date, quantity from {table} "
        "where order_id like ? and order_date = ? order by order_id",
        ["%'%", DAY2],
    )
    assert result.column("order_id").to_pylist() == ["x'; drop table t; --"]
    assert result.schema.field("amount").type == pa.decimal128(12, 2)
    assert result.schema.field("ordered_at").type == pa.timestamp("us")
    assert result.schema.field("order_date").type == pa.date32()
    assert result.schema.field("quantity").type == pa.int32()
    assert result.to_pylist()[0]["amount"] == Decimal("12.50")


def test_empty_data_creates_table_and_clears_rows(case: Case) -> None:
    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1"]))
    assert case.warehouse.replace_rows(table, orders(DAY1, [])) == 0
    assert ids_in(case, table) == []


def test_table_metadata_reports_rows_columns_and_name(case: Case) -> None:
    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1", "o2", "o3"]))
    metadata = case.warehouse.table_metadata(table)
    assert metadata["dagster/row_count"] == 3
    schema = metadata["dagster/column_schema"]
    assert isinstance(schema, dg.TableSchema)
    columns = {c.name: c.type for c in schema.columns}
    assert list(columns) == ["order_id", "quantity", "amount", "ordered_at", "order_date", "score"]
    assert columns["amount"] in ("decimal(12,2)", "numeric(12,2)")
    assert columns["ordered_at"] in ("timestamp", "timestamp without time zone")
    assert columns["order_date"] == "date"
    database = "warehouse" if case.warehouse.dialect == "duckdb" else "postgres"
    assert metadata["dagster/table_name"] == f"{database}.{table}"


def test_table_metadata_of_missing_table_is_a_clear_error(case: Case) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        case.warehouse.table_metadata(case.table("missing"))


def test_execute_runs_statements_with_bind_params(case: Case) -> None:
    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1", "o2"]))
    case.warehouse.execute(f"delete from {table} where order_id = ?", ["o1"])
    assert ids_in(case, table) == ["o2"]


def test_a_transaction_sees_its_own_writes_and_commits_or_rolls_back_as_one(case: Case) -> None:
    from fernway_core.warehouse import Replacement

    table = case.table("orders")
    case.warehouse.replace_rows(table, orders(DAY1, ["o1"]))
    with case.warehouse.transaction() as tx:
        tx.replace_many([Replacement(table, orders(DAY2, ["o2"]), "order_id = ?", ["o2"])])
        seen = tx.query_arrow(f"select count(*) as n from {table}")["n"].to_pylist()
        assert seen == [2]  # the second statement sees the first's rows
        tx.replace_many([Replacement(table, orders(DAY2, ["o3"]), "order_id = ?", ["o3"])])
    assert ids_in(case, table) == ["o1", "o2", "o3"]

    def fail_halfway() -> None:
        with case.warehouse.transaction() as tx:
            tx.replace_many([Replacement(table, orders(DAY2, ["o4"]), "order_id = ?", ["o4"])])
            raise RuntimeError("failed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        fail_halfway()
    assert ids_in(case, table) == ["o1", "o2", "o3"]  # nothing of the failed transaction stays
