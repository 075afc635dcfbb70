"""Daily partitions and the window a run covers."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.partitions import DAILY, PARTITIONS_START, window_of

windows: list[tuple[dt.date, dt.date]] = []


@dg.asset(partitions_def=DAILY, backfill_policy=dg.BackfillPolicy.single_run())
def daily_thing(context: dg.AssetExecutionContext) -> None:
    windows.append(window_of(context))


@dg.asset
def unpartitioned_thing(context: dg.AssetExecutionContext) -> None:
    windows.append(window_of(context))


@pytest.fixture(autouse=True)
def _clear() -> None:
    windows.clear()


def test_daily_partitions_start_at_the_fixed_partitions_start() -> None:
    assert DAILY.get_first_partition_key() == PARTITIONS_START.isoformat()


def test_window_of_one_partition_is_that_day() -> None:
    assert dg.materialize([daily_thing], partition_key="2026-08-01").success
    assert windows == [(dt.date(2026, 8, 1), dt.date(2026, 8, 2))]


def test_window_of_a_single_run_range_spans_all_its_days() -> None:
    tags = {
        "dagster/asset_partition_range_start": "2026-08-01",
        "dagster/asset_partition_range_end": "2026-08-31",
    }
    assert dg.materialize([daily_thing], tags=tags).success
    assert windows == [(dt.date(2026, 8, 1), dt.date(2026, 9, 1))]


def test_window_of_an_unpartitioned_run_is_the_settings_window(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_START_DATE", "2026-08-01")
    monkeypatch.setenv("FERNWAY_DAYS", "92")
    assert dg.materialize([unpartitioned_thing]).success
    assert windows == [(dt.date(2026, 8, 1), dt.date(2026, 11, 1))]
