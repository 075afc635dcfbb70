"""Fixtures: a sandbox on free ports, a throwaway warehouse and instance, the loaded location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.platform.locations import load_location
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

START = dt.date(2026, 8, 1)
DAYS = 6


@pytest.fixture
def platform_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point settings at a fresh data dir (warehouse, alerts) for one test."""
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FERNWAY_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("FERNWAY_MARKETPLACE_TOKEN", "sandbox-token")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def use_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox) -> None:
    """Export the sandbox's URLs and credentials the way a deployment sets its environment."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


@pytest.fixture
def faulty_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A sandbox with 20% 5xx and 10% 429 on the marketplace API, wired into the settings."""
    sandbox = sandbox_factory(
        scale=3000,
        start=START,
        days=DAYS,
        faults={"marketplace": "error_rate=0.2,rate_limit_rate=0.1,retry_after_s=0"},
    )
    use_sandbox(monkeypatch, sandbox)
    return sandbox


@pytest.fixture
def clean_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A sandbox without faults, wired into the settings."""
    sandbox = sandbox_factory(scale=3000, start=START, days=DAYS)
    use_sandbox(monkeypatch, sandbox)
    return sandbox


@pytest.fixture
def defs() -> dg.Definitions:
    """The analytics location, loaded after the environment is set."""
    return load_location("fernway_analytics.definitions")


@pytest.fixture
def warehouse(platform_env) -> Warehouse:
    """The test's warehouse resource, as the location resolves it."""
    return Warehouse(url=get_settings().resolved_warehouse_url)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """A temporary Dagster instance (SQLite in a temp dir)."""
    with dg.instance_for_test() as inst:
        yield inst


def range_tags(start: dt.date, days: int) -> dict[str, str]:
    """Tags of a single-run backfill over `days` partitions from `start`."""
    last = start + dt.timedelta(days=days - 1)
    return {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
