"""pytest fixtures every environment shares (entry point `pytest11`).

The real Postgres (`postgres_url`, `scratch_database`), a throwaway data dir and settings
(`platform_env`), the warehouse those settings resolve to, a temporary Dagster instance, and
`use_sandbox` to wire a sandbox's URLs and credentials into the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The real Postgres; skipped when unreachable unless CI is set (then it fails)."""
    url = os.environ.get("FERNWAY_TEST_POSTGRES_URL", DEFAULT_URL)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"Postgres unreachable at {url}: {' '.join(str(exc).split())}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so Postgres tests must run)")
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")
    return url


@pytest.fixture
def scratch_database(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh database for one test, dropped afterwards."""
    name = "fernway_test_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')
        con.execute(f'create database "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def platform_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point settings at a fresh data dir (DuckDB warehouse, alerts, reports) for one test."""
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FERNWAY_WAREHOUSE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def warehouse(platform_env: Path) -> Warehouse:
    """The test's warehouse resource, as a location resolves it from the settings."""
    return Warehouse(url=get_settings().resolved_warehouse_url)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """A temporary Dagster instance (SQLite in a temp dir)."""
    with dg.instance_for_test() as inst:
        yield inst


def use_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    """Export a sandbox's URLs and credentials the way a deployment sets its environment."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
