"""Fixtures: the three couriers marts in a real DuckDB (good rows), and the quality definitions
with stand-ins for the dbt models that build those marts (another engineer's dbt project)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.marts import MARTS
from fernway_couriers.defs.quality.resources import QualityAlertInbox
from tests.defs.quality.marts_data import build_good_mart, quality_definitions


@pytest.fixture
def marts(warehouse: Warehouse) -> Warehouse:
    """The warehouse holding the three marts with good rows."""
    for mart in MARTS:
        build_good_mart(warehouse, mart)
    return warehouse


@pytest.fixture
def inbox(platform_env: Path) -> QualityAlertInbox:
    """The alert inbox under the data dir; files count as settled at once."""
    return QualityAlertInbox(directory=str(platform_env / "quality_alerts"), settle_seconds=0)


@pytest.fixture
def quality_defs(
    platform_env: Path, warehouse: Warehouse, inbox: QualityAlertInbox
) -> dg.Definitions:
    """The quality definitions on the test's DuckDB warehouse and data dir."""
    return quality_definitions(platform_env, warehouse, inbox)
