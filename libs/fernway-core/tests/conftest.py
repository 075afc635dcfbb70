"""Shared fixtures: an isolated repo for settings, warehouses on DuckDB and real Postgres, and a
one-model dbt project on the shared profile."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fernway_core.settings import reset_settings
from fernway_core.warehouse import Warehouse, quote_ident

SHARED_PROFILES = Path(__file__).resolve().parents[2] / "dbt-shared"
DBT = Path(sys.executable).with_name("dbt")


def probe_dbt_project(root: Path, model: str = "probe_one", sql: str = "select 1 as id\n") -> Path:
    """A dbt project at `root` with one model, using the shared `fernway` profile."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: probe\nversion: '1.0'\nprofile: fernway\nconfig-version: 2\n"
    )
    (root / "models" / f"{model}.sql").write_text(sql)
    return root


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
