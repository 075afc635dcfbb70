"""`check` and `apply`: the declared pipeline reconciled against what the warehouse holds.

The declaration is the dlt source's schema (tables, columns and types, write dispositions,
primary keys, the incremental cursor, dataset `github`). The warehouse's side is its catalog
(information_schema) plus what dlt stored there (schema version and pipeline state). `plan`
lists the differences and changes nothing; `apply` makes the warehouse match through dlt
(`sync_schema`: create schema and tables, add columns). What `apply` cannot do in place (a
column's type, a table's keys or write disposition) it refuses with the reason.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt.common.schema import Schema

from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.contracts import DATASET, TABLES, Table
from fernway_growth.defs.github.destination import cursor_value, make_pipeline

# How each dialect's catalog names the column types dlt creates for the declared data types.
CATALOG_TYPES = {
    "duckdb": {
        "text": "varchar",
        "bigint": "bigint",
        "bool": "boolean",
        "timestamp": "timestamp with time zone",
    },
    "postgres": {
        "text": "character varying",
        "bigint": "bigint",
        "bool": "boolean",
        "timestamp": "timestamp with time zone",
    },
}


@dataclass(frozen=True)
class Change:
    """One difference: `+` to create, `~` to change (`apply` refuses), `!` drift kept as is."""

    sign: str
    table: str
    what: str

    @property
    def applicable(self) -> bool:
        """Whether `apply` can make this change (create tables, add columns)."""
        return self.sign == "+"


@dataclass(frozen=True)
class Plan:
    """What `apply` would do, plus the facts `check` reports alongside."""

    changes: tuple[Change, ...]
    notes: tuple[str, ...]

    @property
    def to_apply(self) -> tuple[Change, ...]:
        """Changes that alter the warehouse (not just drift reported)."""
        return tuple(c for c in self.changes if c.sign in "+~")

    def lines(self) -> list[str]:
        """The plan as text, one change per line, grouped by table."""
        out = list(self.notes)
        for change in self.changes:
            out.append(f"{change.sign} {change.table}: {change.what}")
        creates = sum(c.sign == "+" for c in self.changes)
        changes = sum(c.sign == "~" for c in self.changes)
        if not self.to_apply:
            out.append("No changes: the warehouse matches the declared pipeline.")
        else:
            out.append(f"Plan: {creates} to create, {changes} to change (`growth apply`).")
        return out


def catalog(warehouse: Warehouse) -> dict[str, dict[str, tuple[str, bool]]]:
    """{table: {column: (type, nullable)}} of dataset `github`; a missing DuckDB file is empty
    (and is not created: checking changes nothing)."""
    if warehouse.dialect == "duckdb" and not Path(warehouse.duckdb_path).exists():
        return {}
    sql = (
        "select table_name, column_name, lower(data_type) as data_type, is_nullable "
        "from information_schema.columns where table_schema = ? "
        "order by table_name, ordinal_position"
    )
    found: dict[str, dict[str, tuple[str, bool]]] = {}
    for row in warehouse.query_arrow(sql, [DATASET]).to_pylist():
        found.setdefault(row["table_name"], {})[row["column_name"]] = (
            row["data_type"],
            row["is_nullable"] == "YES",
        )
    return found


def _describe(table: Table, schema: Schema) -> str:
    hints = schema.tables[table.name]
    keys = [str(c["name"]) for c in hints["columns"].values() if c.get("primary_key")]
    text = f"create table ({hints.get('write_disposition')} on {', '.join(keys)}"
    return text + (f"; incremental on {table.cursor})" if table.cursor else ")")


def _column(table: Table, name: str) -> str:
    column = table.column(name)
    return f"{name} {column.data_type}{'' if column.nullable else ' not null'}"


def plan(warehouse: Warehouse, declared: Schema, stored: Schema | None, cursor: Any) -> Plan:
    """Differences between the declared schema and the warehouse (nothing is changed)."""
    have = catalog(warehouse)
    types = CATALOG_TYPES[warehouse.dialect]
    changes: list[Change] = []
    notes = [f"Destination: {warehouse.dialect} dataset `{DATASET}`"]
    for table in TABLES:
        name = f"{DATASET}.{table.name}"
        existing = have.get(table.name)
        if existing is None:
            changes.append(Change("+", name, _describe(table, declared)))
            changes += [
                Change("+", name, f"column {_column(table, c.name)}") for c in table.columns
            ]
            continue
        for column in table.columns:
            if column.name not in existing:
                changes.append(Change("+", name, f"add column {_column(table, column.name)}"))
            elif existing[column.name][0] != types[column.data_type]:
                changes.append(
                    Change(
                        "~",
                        name,
                        f"column {column.name}: {existing[column.name][0]} in the warehouse, "
                        f"declared {types[column.data_type]} (migrate by hand; apply refuses)",
                    )
                )
        undeclared = [c for c in existing if c not in {d.name for d in table.columns}]
        for extra in undeclared:
            if not extra.startswith("_dlt_"):
                changes.append(Change("!", name, f"column {extra} is not declared (left as is)"))
        if stored is not None and table.name in stored.tables:
            changes += _hint_changes(table, name, declared, stored)
    if cursor is not None:
        notes.append(f"Cursor stargazers.starred_at: last value {cursor} (kept by apply)")
    elif "stargazers" in have:
        notes.append("Cursor stargazers.starred_at: none yet (the next load reads every star)")
    return Plan(tuple(changes), tuple(notes))


def _hint_changes(table: Table, name: str, declared: Schema, stored: Schema) -> list[Change]:
    changes = []
    want, got = declared.tables[table.name], stored.tables[table.name]
    if want.get("write_disposition") != got.get("write_disposition"):
        changes.append(
            Change(
                "~",
                name,
                f"write disposition {got.get('write_disposition')} -> "
                f"{want.get('write_disposition')} (apply refuses: reload the table)",
            )
        )
    keys = [str(c["name"]) for c in got["columns"].values() if c.get("primary_key")]
    if keys and tuple(keys) != table.primary_key:
        changes.append(
            Change(
                "~",
                name,
                f"primary key {', '.join(keys)} -> {', '.join(table.primary_key)} "
                "(apply refuses: reload the table)",
            )
        )
    return changes


class ApplyRefused(RuntimeError):
    """The plan holds changes `apply` does not make in place."""


def read_plan(warehouse: Warehouse, declared: Schema) -> Plan:
    """The plan, with dlt's stored schema and cursor read from the warehouse."""
    with tempfile.TemporaryDirectory(prefix="growth-dlt-") as workdir:
        stored, cursor = None, None
        if catalog(warehouse).get("_dlt_version") is not None:
            pipeline = make_pipeline(warehouse, Path(workdir))
            with warehouse.writer_slot():
                pipeline.sync_destination()
            stored = pipeline.default_schema if pipeline.schema_names else None
            cursor = cursor_value(pipeline)
        return plan(warehouse, declared, stored, cursor)


def apply(warehouse: Warehouse, declared: Schema, current: Plan) -> list[str]:
    """Make the warehouse match the declared schema; return what was done."""
    refused = [c for c in current.changes if c.sign == "~"]
    if refused:
        raise ApplyRefused(
            "apply refuses changes it cannot make in place: "
            + "; ".join(f"{c.table}: {c.what}" for c in refused)
        )
    if not current.to_apply:
        return []
    with tempfile.TemporaryDirectory(prefix="growth-dlt-") as workdir:
        pipeline = make_pipeline(warehouse, Path(workdir))
        with warehouse.writer_slot():
            pipeline.sync_destination()
            schema = declared.clone()
            if pipeline.schema_names:
                schema = pipeline.default_schema.clone()
                for table in TABLES:
                    schema.update_table(declared.tables[table.name], merge_compound_props=False)
            pipeline.schemas.save_schema(schema)
            pipeline.sync_schema(schema.name)
    return [f"{c.sign} {c.table}: {c.what}" for c in current.to_apply]


def declared_from(source: Any) -> Schema:
    """The source's declared schema."""
    schema: Schema = source.discover_schema()
    return schema
