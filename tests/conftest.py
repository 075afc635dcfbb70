"""Platform-level fixtures: the repo root and a Postgres connection when one is reachable."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get(
    "FERNWAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The admin URL of a reachable Postgres; skipped locally without one, never under CI."""
    if not _reachable(PG_URL):
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Postgres at {PG_URL} is unreachable")
        pytest.skip(f"no Postgres reachable at {PG_URL}")
    return PG_URL


@pytest.fixture
def scratch_database(postgres_url: str, request: pytest.FixtureRequest):
    """A fresh database for one test, dropped afterwards."""
    name = "fernway_test_" + request.node.name.lower()[:40]
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')
        con.execute(f'create database "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')
