"""Shared fixtures: an isolated repo for settings, and warehouses on DuckDB and real Postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from fernway_core.settings import reset_settings
from fernway_core.warehouse import Warehouse, quote_ident

POSTGRES_URL = os.environ.get(
    "FERNWAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


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


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The real Postgres; skipped when unreachable unless CI is set (then it fails)."""
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"Postgres unreachable at {POSTGRES_URL}: {' '.join(str(exc).split())}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so Postgres tests must run)")
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")
    return POSTGRES_URL


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
