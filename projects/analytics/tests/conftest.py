"""Fixtures: a sandbox on free ports, a throwaway warehouse and instance, the loaded location."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox

START = dt.date(2026, 8, 1)
DAYS = 6


@pytest.fixture
def platform_env(platform_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared throwaway data dir, plus the token every marketplace resource resolves."""
    monkeypatch.setenv("FERNWAY_MARKETPLACE_TOKEN", "sandbox-token")
    return platform_env


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


# Fixtures that change the environment the location's resources are resolved from.
ENVIRONMENT_FIXTURES = ("faulty_sandbox", "clean_sandbox")


@pytest.fixture
def defs(platform_env: Path, request: pytest.FixtureRequest) -> dg.Definitions:
    """The analytics location, loaded after the environment is set, whatever the fixture order."""
    for name in ENVIRONMENT_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    return load_location("fernway_analytics.definitions")


def range_tags(start: dt.date, days: int) -> dict[str, str]:
    """Tags of a single-run backfill over `days` partitions from `start`."""
    last = start + dt.timedelta(days=days - 1)
    return {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
