"""Fixtures: analytics marts built from a sandbox's data, a throwaway warehouse and instance."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.platform.locations import load_location
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.sandbox import Sandbox
from tests.marts import build_marts

SEED = 42
START = dt.date(2026, 3, 2)  # a Monday, so weekly back-test partitions align with the data
DAYS = 182  # 26 weeks: enough history for a 56-day holdout and ~20 scored back-tests
SCALE = 90_000  # ~500 orders a day
END = START + dt.timedelta(days=DAYS)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="session")
def marts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with the analytics marts over the sandbox's window (built once)."""
    config = SandboxConfig(
        seed=SEED, scale=SCALE, start=START, days=DAYS, services=("marketplace",)
    )
    with Sandbox(config) as sandbox:
        return build_marts(sandbox.dataset, tmp_path_factory.mktemp("marts") / "marts.duckdb")


@pytest.fixture
def warehouse(platform_env: Path, marts_file: Path) -> Warehouse:
    """The test's warehouse (a copy of the marts), as the location resolves it."""
    shutil.copy(marts_file, platform_env / "warehouse.duckdb")
    return Warehouse(url=get_settings().resolved_warehouse_url)


@pytest.fixture
def defs(platform_env: Path) -> dg.Definitions:
    """The ml location, loaded after the environment is set."""
    return load_location("fernway_ml.definitions")


def range_tags(first: str, last: str) -> dict[str, str]:
    """Tags of a single-run backfill over the partitions first..last."""
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }
