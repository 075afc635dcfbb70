"""Fixtures: the upstream marts the analytics and weather locations build, a throwaway warehouse."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools.demo import run_in_location
from fernway_devtools.instance import write_instance
from fernway_devtools.locations import load_location
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[3]
SEED = 42
START = dt.date(2026, 3, 2)  # a Monday, so weekly back-test partitions align with the data
DAYS = 182  # 26 weeks: enough history for a 56-day holdout and ~20 scored back-tests
SCALE = 90_000  # ~500 orders a day
END = START + dt.timedelta(days=DAYS)
DAY = dt.timedelta(days=1)


# The locations whose marts ml reads, in build order (weather reads analytics.delivery_cities).
UPSTREAM = ("analytics", "weather")
# The sandbox weather key's limit: high enough that fetching 26 weeks of history is not paced.
WEATHER_CALLS_PER_MINUTE = 6000
# Building the upstream warehouse takes minutes (measured on the 2-core dev machine: 6.5 with
# little else running, 17 while other suites ran; weather's 4368 hourly partitions are most of
# it). The first test that needs it waits for it, so those tests get this much more than the
# suite's per-test timeout (pytest-timeout counts fixture setup).
UPSTREAM_BUILD_TIMEOUT_S = 1800


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Extend the timeout of every test that reads the upstream warehouse (see above)."""
    timeout = float(config.getini("timeout") or 0) + UPSTREAM_BUILD_TIMEOUT_S
    for item in items:
        if "marts_file" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(timeout))


def _materialize(location: str, env: dict[str, str], work: Path) -> None:
    """Materialize every asset of `location` in its own virtualenv, as `make demo` does."""
    report = work / f"{location}.json"
    args = ["fernway_devtools.materialize", f"fernway_{location}.definitions"]
    args += ["--start", START.isoformat(), "--end", END.isoformat(), "--report", str(report)]
    log = report.with_suffix(".log")
    started = time.perf_counter()
    if run_in_location(location, ROOT, env, args, log) != 0:
        tail = "".join(log.read_text().splitlines(True)[-40:])
        pytest.fail(f"materializing {location} failed; last lines of {log}:\n{tail}")
    print(f"{location} materialized in {time.perf_counter() - started:.0f} s")


@pytest.fixture(scope="session")
def marts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB warehouse that the analytics and weather locations built from a sandbox.

    The real marts (dbt models, contracts enforced), not copies: each location runs in its own
    virtualenv against a sandbox over START..END, with a throwaway data dir and Dagster home.
    Built once a session.
    """
    work = tmp_path_factory.mktemp("upstream")
    data_dir, home = work / "data", work / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=False)
    config = SandboxConfig(
        seed=SEED,
        scale=SCALE,
        start=START,
        days=DAYS,
        weather_calls_per_minute=WEATHER_CALLS_PER_MINUTE,
    )
    with Sandbox(config) as sandbox:
        env = {
            **os.environ,
            **sandbox.env(),
            "DAGSTER_HOME": str(home),
            "FERNWAY_DATA_DIR": str(data_dir),
        }
        env.pop("FERNWAY_WAREHOUSE_URL", None)
        for location in UPSTREAM:
            _materialize(location, env, work)
    return data_dir / "warehouse.duckdb"


@pytest.fixture
def warehouse(platform_env: Path, marts_file: Path) -> Warehouse:
    """The test's warehouse (a copy of the upstream one), as the location resolves it."""
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
