"""Fixtures: the courier_app package's definitions alone, and one load through them.

The package is composed here from its own `defs` functions plus the location's shared
resources, so these tests exercise exactly this package whatever else the location holds.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.resources import shared_resources
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.courier_app import assets, checks, resources
from fernway_couriers.defs.courier_app.contracts import COURIER_APP_ASSETS, TABLES
from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import COURIERS

KEYS = [t.asset_key for t in TABLES]


def start_sandbox(sandbox_factory, monkeypatch, **config: object):
    """The couriers fixture's window and scale, only the courier-app service (starts in < 1 s:
    the location-wide `couriers_sandbox` also starts S3, GitHub, DataHub, Slack, marketplace)."""
    sandbox = sandbox_factory(**{**COURIERS, "services": ("couriers",), **config})
    use_sandbox(monkeypatch, sandbox)
    return sandbox


@pytest.fixture
def courier_app_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A well-behaved courier app over the location's test window, its env in the settings."""
    return start_sandbox(sandbox_factory, monkeypatch)


MALFORMED = "malformed_rate=0.05"
FLAKY = "error_rate=0.15,rate_limit_rate=0.1,retry_after_s=0.05,truncate_rate=0.05"


@pytest.fixture
def malformed_sandbox(sandbox_factory, monkeypatch, platform_env):
    """The courier app serving 5 % of delivered deliveries malformed (every kind)."""
    return start_sandbox(sandbox_factory, monkeypatch, faults={"couriers": MALFORMED})


@pytest.fixture
def flaky_sandbox(sandbox_factory, monkeypatch, platform_env):
    """The courier app failing requests: 5xx, 429 with Retry-After, truncated bodies."""
    return start_sandbox(sandbox_factory, monkeypatch, faults={"couriers": FLAKY})


SANDBOXES = ("couriers_sandbox", "courier_app_sandbox", "malformed_sandbox", "flaky_sandbox")


@pytest.fixture
def app_defs(platform_env: Path, request: pytest.FixtureRequest) -> dg.Definitions:
    """The courier_app assets, checks and resources, resolved after the environment is set."""
    for name in (*SANDBOXES, "postgres_warehouse"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    return dg.Definitions.merge(
        shared_resources(), resources.resources(), assets.defs(), checks.defs()
    )


def courier_warehouse() -> Warehouse:
    """The warehouse the settings resolve (DuckDB in the test's data dir, or Postgres)."""
    return Warehouse(url=get_settings().resolved_warehouse_url)


def load(
    defs: dg.Definitions, instance: dg.DagsterInstance, checks: bool = True, **resources: object
) -> dg.ExecuteInProcessResult:
    """One run of the four tables, with their checks unless `checks` is False."""
    selection = COURIER_APP_ASSETS if checks else COURIER_APP_ASSETS.without_checks()
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        selection=selection,
        resources={**(defs.resources or {}), **resources},
        instance=instance,
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult, table: str) -> dict[str, object]:
    """The materialization metadata of `courier_app/<table>` in `result`, as plain values."""
    key = dg.AssetKey(["courier_app", table])
    (event,) = [
        m for m in result.asset_materializations_for_node("courier_app") if m.asset_key == key
    ]
    return {k: v.value for k, v in event.metadata.items()}
