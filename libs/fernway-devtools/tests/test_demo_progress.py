"""The demo's live lines: what a person sees while a location materializes."""

from types import SimpleNamespace

import pytest

from fernway_devtools import demo
from fernway_devtools.demo import LiveProgress

PREFIX = "2026-12-01 02:10:29 +0000 - dagster - DEBUG - __ASSET_JOB - 57d6 - 12820 - "


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The monotonic clock LiveProgress reads: set `clock[0]` to move it."""
    now = [100.0]
    monkeypatch.setattr(demo, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def test_plan_line_sets_the_total_and_is_shown() -> None:
    live = LiveProgress()
    assert live.line("@progress plan: 2 runs over 4 assets") == "plan: 2 runs over 4 assets"
    assert live.total == 4


def test_a_finished_step_reports_assets_done_of_total_and_the_eta(clock: list[float]) -> None:
    live = LiveProgress()
    live.line("@progress plan: 1 runs over 4 assets")
    for table in ("orders", "customers"):
        shown = live.line(
            PREFIX + f"raw__{table} - ASSET_MATERIALIZATION - Materialized value raw {table}."
        )
        assert shown is None
    clock[0] += 30  # 2 of 4 assets in 30 s: the other 2 take 30 s more
    shown = live.line(PREFIX + "raw__customers - STEP_SUCCESS - Finished execution of step.")
    assert shown == "step raw__customers ok; assets 2/4 after 30 s (ETA 30 s)"


def test_a_failed_step_says_so_and_asset_progress_lines_pass_through(clock: list[float]) -> None:
    live = LiveProgress()
    clock[0] += 12.4
    failed = live.line(PREFIX + "raw__orders - STEP_FAILURE - Execution of step failed.")
    assert failed == "step raw__orders FAILED; assets 0/? after 12 s (ETA ?)"
    assert (
        live.line(PREFIX + "raw__weather_actual - progress: weather cities 3/20, 42 calls")
        == "progress: weather cities 3/20, 42 calls"
    )


def test_other_log_lines_stay_in_the_log() -> None:
    assert LiveProgress().line(PREFIX + "raw__orders - STEP_START - Started execution.") is None
