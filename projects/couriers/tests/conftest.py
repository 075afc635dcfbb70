"""Fixtures: a couriers sandbox wired into the environment, the location loaded after it.

Domain fixtures live in `tests/defs/<domain>/conftest.py`; this file holds only what every
domain shares.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox

# A small fleet over ten days that ended long ago: every shift, delivery and payout is final.
START = dt.date(2026, 8, 3)  # a Monday, so payout weeks align with the window
COURIERS = {
    "services": ("couriers", "s3", "github", "datahub", "slack", "marketplace"),
    "scale": 5_000,
    "start": START,
    "days": 14,
    "github_secondary_per_minute": 100_000,
}


@pytest.fixture
def couriers_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A sandbox with every service the couriers location talks to, its env in the settings."""
    sandbox = sandbox_factory(**COURIERS)
    use_sandbox(monkeypatch, sandbox)
    return sandbox


# Fixtures that change the environment the location's resources are resolved from; `defs`
# resolves them first, whatever order a test names its fixtures in.
ENVIRONMENT_FIXTURES = ("couriers_sandbox", "postgres_warehouse", "couriers_webserver")


@pytest.fixture
def defs(platform_env: Path, request: pytest.FixtureRequest) -> dg.Definitions:
    """The couriers location, loaded after the environment is set, whatever the fixture order."""
    for name in ENVIRONMENT_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    return load_location("fernway_couriers.definitions")
