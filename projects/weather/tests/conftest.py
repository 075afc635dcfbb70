"""Fixtures: a sandbox (marketplace cities, weather, Slack), a throwaway warehouse and instance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import httpx
import pyarrow as pa
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse
from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox
from fernway_weather.defs.openweathermap.client import reset_shared_quotas

WINDOW_START = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 8, 3, 9, 20, tzinfo=dt.UTC)  # the sandbox's and the platform's "now"
HOURS = 36
SERVICES = ("marketplace", "weather", "slack")


def publish_delivery_cities(sandbox, warehouse: Warehouse) -> list[dict]:
    """Write analytics.delivery_cities (the analytics location's contract) from the API's cities."""
    response = httpx.get(
        f"{sandbox.urls['marketplace']}/v1/cities",
        headers={"Authorization": f"Bearer {sandbox.config.token}"},
    ).raise_for_status()
    cities = response.json()["data"]
    table = pa.Table.from_pylist(
        [
            {k: c[k] for k in ("city_id", "name", "country", "latitude", "longitude", "timezone")}
            for c in cities
        ]
    )
    warehouse.replace_many([Replacement("analytics.delivery_cities", table)])
    return cities


@pytest.fixture(autouse=True)
def fresh_quotas() -> Iterator[None]:
    """The per-process quota registry starts empty in every test and is left empty."""
    reset_shared_quotas()
    yield
    reset_shared_quotas()


@pytest.fixture
def weather_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A sandbox without faults (generous weather limit), wired in; delivery cities published.

    Its clock stands at NOW, as does the platform's in `run_job`.
    """
    sandbox = sandbox_factory(
        scale=500, services=SERVICES, weather_calls_per_minute=1000, clock=NOW
    )
    use_sandbox(monkeypatch, sandbox)
    publish_delivery_cities(sandbox, Warehouse(url=get_settings().resolved_warehouse_url))
    return sandbox


# Fixtures that change the environment the location's resources are resolved from.
ENVIRONMENT_FIXTURES = ("weather_sandbox",)


@pytest.fixture
def defs(platform_env: Path, request: pytest.FixtureRequest) -> dg.Definitions:
    """The weather location, loaded after the environment is set, whatever the fixture order."""
    for name in ENVIRONMENT_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    return load_location("fernway_weather.definitions")


def hour_range_tags(start: dt.datetime, hours: int) -> dict[str, str]:
    """Tags of a single-run backfill over `hours` hourly partitions from `start`."""
    last = start + dt.timedelta(hours=hours - 1)
    return {
        "dagster/asset_partition_range_start": f"{start:%Y-%m-%d-%H:%M}",
        "dagster/asset_partition_range_end": f"{last:%Y-%m-%d-%H:%M}",
    }
