"""Which hours of a run go to the History API and which to the current-weather endpoint."""

from __future__ import annotations

import datetime as dt

import pytest

from fernway_weather.defs.openweathermap.periods import Periods, floor_hour, split_window


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 8, day, hour, minute, tzinfo=dt.UTC)


NOW = at(2, 10, 25)  # the hour in progress is 10:00-11:00 on 2 August


def test_window_fully_in_the_past_goes_to_history_only() -> None:
    periods = split_window(at(1, 0), at(2, 0), NOW)
    assert periods == Periods(history=(at(1, 0), at(2, 0)), current_hour=None)
    assert periods.hours == 24


def test_window_ending_where_the_hour_in_progress_begins_is_history_only() -> None:
    periods = split_window(at(2, 0), at(2, 10), NOW)
    assert periods == Periods(history=(at(2, 0), at(2, 10)), current_hour=None)
    assert periods.hours == 10


def test_window_containing_the_hour_in_progress_splits_into_history_and_current() -> None:
    periods = split_window(at(2, 0), at(2, 11), NOW)
    assert periods.history == (at(2, 0), at(2, 10))
    assert periods.current_hour == at(2, 10)
    assert periods.hours == 11


def test_window_of_only_the_hour_in_progress_is_current_only() -> None:
    periods = split_window(at(2, 10), at(2, 11), NOW)
    assert periods == Periods(history=None, current_hour=at(2, 10))
    assert periods.hours == 1


def test_at_the_very_start_of_an_hour_that_hour_is_the_one_in_progress() -> None:
    periods = split_window(at(2, 9), at(2, 11), at(2, 10))
    assert periods == Periods(history=(at(2, 9), at(2, 10)), current_hour=at(2, 10))


@pytest.mark.parametrize(
    ("start", "end"),
    [(at(2, 10), at(2, 12)), (at(2, 0), at(3, 0)), (at(2, 11), at(2, 12))],
)
def test_window_reaching_into_an_hour_not_begun_raises_a_one_line_error(
    start: dt.datetime, end: dt.datetime
) -> None:
    with pytest.raises(ValueError, match="asked for hours that have not begun") as caught:
        split_window(start, end, NOW)
    message = str(caught.value)
    assert "\n" not in message
    assert f"{start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC" in message
    assert "(now 2026-08-02 10:25 UTC)" in message


def test_hours_counts_history_hours_plus_the_current_hour() -> None:
    assert Periods(history=(at(1, 0), at(8, 0)), current_hour=at(8, 0)).hours == 7 * 24 + 1
    assert Periods(history=(at(1, 0), at(1, 3)), current_hour=None).hours == 3
    assert Periods(history=None, current_hour=at(1, 3)).hours == 1
    assert Periods(history=None, current_hour=None).hours == 0


def test_floor_hour_drops_minutes_seconds_and_microseconds() -> None:
    assert floor_hour(dt.datetime(2026, 8, 2, 10, 59, 59, 999_999, tzinfo=dt.UTC)) == at(2, 10)
    assert floor_hour(at(2, 10)) == at(2, 10)
