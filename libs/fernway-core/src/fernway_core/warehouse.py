"""The warehouse resource: DuckDB locally, Postgres in production, Arrow in and out."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import duckdb
import pyarrow as pa
from pydantic import Field

from fernway_core import postgres
from fernway_core.duckdb_lock import WarehouseLockTimeout, connect_waiting, writer_lock
from fernway_core.sql import create_table_sql, quote_ident, split_table, sql_type

__all__ = ["Replacement", "Transaction", "Warehouse", "WarehouseLockTimeout", "quote_ident"]

_DUCKDB = "duckdb://"
_POSTGRES = ("postgresql://", "postgres://")
_ARROW_VIEW = "_fernway_rows"


@dataclass(frozen=True)
class Replacement:
    """Rows for `table` that replace the rows matching `delete_where` (all rows when None)."""

    table: str
    data: pa.Table
    delete_where: str | None = None
    params: Sequence[Any] | None = None


class Warehouse(dg.ConfigurableResource):
    """Short-lived connections to DuckDB (`duckdb:///abs/file.duckdb`) or Postgres."""

    url: str = Field(description="`duckdb:///abs/path.duckdb` or `postgresql://user@host/db`.")
    lock_timeout_s: float = Field(
        default=600.0,
        description="How long a DuckDB caller waits for another process's turn at the file.",
    )

    @property
    def dialect(self) -> Literal["duckdb", "postgres"]:
        """Which database the URL points at."""
        if self.url.startswith(_DUCKDB):
            return "duckdb"
        if self.url.startswith(_POSTGRES):
            return "postgres"
        raise ValueError(f"unsupported warehouse URL {self.url!r}: use duckdb:/// or postgresql://")

    @property
    def duckdb_path(self) -> str:
        """Absolute path of the DuckDB file (DuckDB URLs only)."""
        if self.dialect != "duckdb":
            raise ValueError("duckdb_path is only defined for duckdb:// warehouses")
        return str(Path(self.url.removeprefix(_DUCKDB)).resolve())

    @contextmanager
    def writer_slot(self) -> Iterator[None]:
        """Hold the warehouse's single-writer slot around work done by another program.

        DuckDB: other processes' connections and slots wait until this one ends, and it is only
        entered once DuckDB's own file lock is free, so a subprocess (dbt, dlt) can open the
        file. The kernel releases the slot if this process dies. Postgres: no lock at all.
        """
        if self.dialect == "postgres":
            yield
            return
        started = time.monotonic()
        with writer_lock(self.duckdb_path, self.lock_timeout_s):
            connect_waiting(self.duckdb_path, self._left(started)).close()
            yield

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A native connection in one transaction: committed on success, rolled back on error.

        On DuckDB the connection lives inside the writer slot: callers wait their turn.
        """
        if self.dialect == "postgres":
            with postgres.connect(self.url) as conn:
                yield conn
            return
        started = time.monotonic()
        with writer_lock(self.duckdb_path, self.lock_timeout_s):
            con = connect_waiting(self.duckdb_path, self._left(started))
            try:
                con.begin()
                yield con
                con.commit()
            except BaseException:
                with suppress(duckdb.Error):  # keep the original error if rollback fails too
                    con.rollback()
                raise
            finally:
                con.close()

    def _left(self, started: float) -> float:
        return max(self.lock_timeout_s - (time.monotonic() - started), 0.0)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run one statement (bind `?` params) in its own transaction."""
        with self.connection() as con:
            self._run(con, sql, params)

    def query_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """The result of a query as an Arrow table."""
        with self.transaction() as tx:
            return tx.query_arrow(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Several queries and replacements on ONE connection in ONE transaction: committed if
        the block ends normally, rolled back if it raises. Each sees the ones before it.

        For many small writes at once (a run's files): on DuckDB they wait for the writer slot
        and open the file once instead of once per write. Do network waits before entering it.
        """
        with self.connection() as con:
            yield Transaction(self, con)

    def replace_rows(
        self,
        table: str,
        data: pa.Table,
        delete_where: str | None = None,
        params: Sequence[Any] | None = None,
    ) -> int:
        """Delete rows matching `delete_where` (all when None) and insert `data`, atomically."""
        return self.replace_many([Replacement(table, data, delete_where, params)])

    def replace_many(self, replacements: Sequence[Replacement]) -> int:
        """Several replacements in ONE transaction; returns the number of rows inserted."""
        with self.transaction() as tx:
            return tx.replace_many(replacements)

    def _replace_on(self, con: Any, replacements: Sequence[Replacement]) -> int:
        for rep in replacements:
            schema, _ = split_table(rep.table, "")
            if schema:
                self._run(con, f"create schema if not exists {quote_ident(schema)}")
            self._run(con, create_table_sql(rep.table, rep.data.schema))
            self._add_missing_columns(con, rep.table, rep.data.schema)
            where = f" where {rep.delete_where}" if rep.delete_where else ""
            self._run(con, f"delete from {quote_ident(rep.table)}{where}", rep.params)
            if rep.data.num_rows:
                self._insert(con, rep.table, rep.data)
        return sum(rep.data.num_rows for rep in replacements)

    def _query_on(self, con: Any, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        if self.dialect == "duckdb":
            return con.sql(sql, params=params).to_arrow_table()
        return postgres.to_arrow(postgres.execute(con, sql, params))

    def _add_missing_columns(self, con: Any, table: str, schema: pa.Schema) -> None:
        """Columns the data has and an older table lacks are added (nullable), never dropped."""
        (current,) = self._run(con, "select current_schema()").fetchone()
        columns = self._run(con, self._columns_sql(), split_table(table, current)).fetchall()
        have = {col for col, _ in columns}
        for field in schema:
            if field.name not in have:
                column = f"{quote_ident(field.name)} {sql_type(field.type)}"
                self._run(con, f"alter table {quote_ident(table)} add column {column}")

    def table_exists(self, table: str) -> bool:
        """Whether `schema.table` exists as a table or view."""
        with self.connection() as con:
            (current,) = self._run(con, "select current_schema()").fetchone()
            schema, name = split_table(table, current)
            return bool(self._run(con, self._columns_sql(), [schema, name]).fetchall())

    def table_metadata(self, table: str) -> dict[str, Any]:
        """Dagster metadata for a table: row count, column schema and qualified name."""
        with self.transaction() as tx:
            return tx.table_metadata(table)

    def _table_metadata_on(self, con: Any, table: str) -> dict[str, Any]:
        database, current = self._run(con, "select current_database(), current_schema()").fetchone()
        schema, name = split_table(table, current)
        columns = self._run(con, self._columns_sql(), [schema, name]).fetchall()
        if not columns:
            raise ValueError(f"table {schema}.{name} does not exist in the warehouse")
        (rows,) = self._run(con, f"select count(*) from {quote_ident(table)}").fetchone()
        return {
            "dagster/row_count": rows,
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(col, str(kind).lower()) for col, kind in columns]
            ),
            "dagster/table_name": f"{database}.{schema}.{name}",
        }

    def _columns_sql(self) -> str:
        if self.dialect == "duckdb":
            return (
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position"
            )
        return (
            "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
            "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = ? and c.relname = ? and a.attnum > 0 and not a.attisdropped "
            "order by a.attnum"
        )

    def _run(self, con: Any, sql: str, params: Sequence[Any] | None = None) -> Any:
        if self.dialect == "duckdb":
            return con.execute(sql, params)
        return postgres.execute(con, sql, params)

    def _insert(self, con: Any, table: str, data: pa.Table) -> None:
        if self.dialect == "postgres":
            postgres.copy_in(con, table, data)
            return
        con.register(_ARROW_VIEW, data)
        con.execute(f"insert into {quote_ident(table)} by name select * from {_ARROW_VIEW}")
        con.unregister(_ARROW_VIEW)  # not in `finally`: an aborted transaction refuses it


@dataclass(frozen=True)
class Transaction:
    """An open transaction of a `Warehouse` (see `Warehouse.transaction`): the same queries and
    replacements as the warehouse, on its one connection."""

    warehouse: Warehouse
    con: Any

    def query_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """The result of a query as an Arrow table (seeing this transaction's writes)."""
        return self.warehouse._query_on(self.con, sql, params)

    def replace_many(self, replacements: Sequence[Replacement]) -> int:
        """Replacements inside this transaction; returns the number of rows inserted."""
        return self.warehouse._replace_on(self.con, replacements)

    def table_metadata(self, table: str) -> dict[str, Any]:
        """Dagster metadata for a table (as `Warehouse.table_metadata`)."""
        return self.warehouse._table_metadata_on(self.con, table)
