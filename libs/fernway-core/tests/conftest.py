"""Shared fixtures: an isolated repo for settings, and warehouses on DuckDB and real Postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fernway_core.settings import reset_settings
from fernway_core.warehouse import Warehouse, quote_ident


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh repo root (with dg.toml), cwd inside it, no FERNWAY_* variables set."""
    for name in list(os.environ):
        if name.startswith("FERNWAY_"):
            monkeypatch.delenv(name)
    root = tmp_path / "repo"
    (root / "projects" / "analytics").mkdir(parents=True)
    (root / "dg.toml").write_text('directory_type = "workspace"\n')
    monkeypatch.chdir(root / "projects" / "analytics")
    reset_settings()
    yield root
    reset_settings()


@dataclass
class Case:
    """A warehouse plus a schema private to one test."""

    warehouse: Warehouse
    schema: str

    def table(self, name: str) -> str:
        """`<schema>.<name>`."""
        return f"{self.schema}.{name}"


@pytest.fixture(params=["duckdb", "postgres"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Case]:
    """The same test on DuckDB (a temp file) and on the real Postgres (a unique schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "duckdb":
        yield Case(Warehouse(url=f"duckdb://{tmp_path / 'warehouse.duckdb'}"), schema)
        return
    warehouse = Warehouse(url=request.getfixturevalue("postgres_url"))
    try:
        yield Case(warehouse, schema)
    finally:
        warehouse.execute(f"drop schema if exists {quote_ident(schema)} cascade")
