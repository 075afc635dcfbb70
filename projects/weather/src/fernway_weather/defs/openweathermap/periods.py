"""Which endpoint answers which hours: the History API for hours that are over, current
weather for the hour in progress (OpenWeatherMap's current endpoint only knows "now")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Periods:
    """The hours of a run: a period for the History API and/or the hour in progress."""

    history: tuple[dt.datetime, dt.datetime] | None
    current_hour: dt.datetime | None

    @property
    def hours(self) -> int:
        """How many hours the run covers."""
        past = (self.history[1] - self.history[0]) // dt.timedelta(hours=1) if self.history else 0
        return past + (1 if self.current_hour else 0)


def floor_hour(when: dt.datetime) -> dt.datetime:
    """The start of the hour containing `when`."""
    return when.replace(minute=0, second=0, microsecond=0)


def split_window(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Periods:
    """Cut [start, end) at the hour in progress; hours that have not begun are an error."""
    in_progress = floor_hour(now)
    if end > in_progress + dt.timedelta(hours=1):
        raise ValueError(
            f"weather for {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC asked for hours "
            f"that have not begun (now {now:%Y-%m-%d %H:%M} UTC)"
        )
    past_end = min(end, in_progress)
    return Periods(
        history=(start, past_end) if start < past_end else None,
        current_hour=in_progress if start <= in_progress < end else None,
    )
