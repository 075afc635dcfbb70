"""pytest fixtures every environment shares (entry point `pytest11`).

The real Postgres (`postgres_url`, `scratch_database`), a throwaway data dir and settings
(`platform_env`), the warehouse those settings resolve to, a temporary Dagster instance, and
`use_sandbox` to wire a sandbox's URLs and credentials into the environment.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_SKIPS = pytest.StashKey[list[str]]()


def in_ci() -> bool:
    """Whether CI is set to a true value (`CI=false` or `CI=0` is not CI)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """Every suite gets its own scratch state and never reads the developer's `.env`.

    Settings ignore the repo's `.env` (FERNWAY_ENV_FILE empty), runtime data and the Dagster
    instance go to a temp dir unless a test points them elsewhere, so suites do not see what
    another suite (or `make demo`) left behind, and pass in any order.
    """
    scratch = Path(tempfile.mkdtemp(prefix="fernway-tests-"))
    os.environ["FERNWAY_ENV_FILE"] = ""
    os.environ["FERNWAY_DATA_DIR"] = str(scratch / "data")
    os.environ["DAGSTER_HOME"] = str(scratch / "dagster_home")
    (scratch / "dagster_home").mkdir()
    config.stash[POSTGRES_SKIPS] = []
    get_settings.cache_clear()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say plainly when the Postgres cases were skipped (only possible outside CI)."""
    skips = config.stash.get(POSTGRES_SKIPS, [])
    if skips:
        terminalreporter.write_line(
            f"NOTE: {len(skips)} Postgres test(s) SKIPPED ({skips[0]}); set CI=true to make "
            "that a failure",
            yellow=True,
        )


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The real Postgres; skipped when unreachable unless CI is set (then it fails)."""
    url = os.environ.get("FERNWAY_TEST_POSTGRES_URL", DEFAULT_URL)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"Postgres unreachable at {url}: {' '.join(str(exc).split())}"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so Postgres tests must run)")
        request.config.stash[POSTGRES_SKIPS].append(reason)
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")
    return url


@pytest.fixture
def scratch_database(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh database for one test, dropped afterwards."""
    # unique per test run: two suites (or two checkouts) never share or drop each other's
    slug = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:30]
    name = f"fernway_test_{slug}_{uuid.uuid4().hex[:8]}"
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
