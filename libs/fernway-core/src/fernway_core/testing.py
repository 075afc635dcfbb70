"""pytest fixtures every environment shares (entry point `pytest11`): the real Postgres."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import psycopg
import pytest

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
