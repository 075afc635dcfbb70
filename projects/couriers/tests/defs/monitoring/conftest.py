"""A sandbox with every external system the platform uses (weather included), shared by the
module's tests; each test gets its environment pointed at it and its faults cleared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest

from fernway_core.resources import shared_resources
from fernway_couriers.defs.monitoring.assets import health_checks
from fernway_couriers.defs.monitoring.jobs import pipeline_monitoring
from fernway_devtools.pytest_plugin import use_sandbox
from fernway_sandbox.pytest_plugin import SMALL, start_sandbox

SYSTEMS = ("marketplace", "couriers", "github", "weather", "slack", "datahub", "s3")


@pytest.fixture(scope="module")
def every_system() -> Iterator[Any]:
    """The sandbox serving every external system (small data: the probes read little)."""
    import dataclasses

    with start_sandbox(dataclasses.replace(SMALL, services=SYSTEMS, scale=500, days=3)) as sandbox:
        yield sandbox


@pytest.fixture
def health_env(every_system: Any, monkeypatch: pytest.MonkeyPatch, platform_env: Any) -> Any:
    """The settings point at the sandbox; no service has faults when the test starts."""
    for name in SYSTEMS:
        every_system.set_faults(name, None)
    use_sandbox(monkeypatch, every_system)
    return every_system


@pytest.fixture
def monitoring_defs(health_env: Any) -> dg.Definitions:
    """The monitoring asset and job with the location's shared resources (log alert sink)."""
    return dg.Definitions(
        assets=[health_checks], jobs=[pipeline_monitoring], resources=shared_resources().resources
    )
