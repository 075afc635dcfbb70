"""Date window arithmetic and the time patterns of demand (weekly, trend, daily cycle)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from fernway_sandbox.cities import CITIES

DAY_S = 86_400
EPOCH = dt.date(1970, 1, 1)
# Monday .. Sunday: quieter early week, peaks Friday to Sunday.
WEEKDAY_FACTOR = np.array([0.86, 0.84, 0.90, 0.96, 1.14, 1.30, 1.22])
# Daily cycle in local time: breakfast, lunch, dinner peaks (hours) and a flat background.
CYCLE_SHARE = np.array([0.08, 0.36, 0.46, 0.10])
CYCLE_MEAN_H = np.array([8.5, 12.75, 19.5, 12.0])
CYCLE_SD_H = np.array([0.8, 1.0, 1.4, 0.0])


def epoch_s(day: dt.date) -> int:
    """Seconds since the Unix epoch at 00:00 UTC of `day`."""
    return (day - EPOCH).days * DAY_S


def day_starts(start: dt.date, days: int) -> np.ndarray:
    """Epoch seconds of 00:00 UTC for each day of the window."""
    return epoch_s(start) + DAY_S * np.arange(days, dtype=np.int64)


def day_weights(rng: np.random.Generator, start: dt.date, days: int) -> np.ndarray:
    """Relative demand per day: weekly seasonality x mild growth x a little noise."""
    weekday = (start.weekday() + np.arange(days)) % 7
    trend = 1.0 + 0.15 * np.arange(days) / max(days, 1)
    noise = rng.lognormal(0.0, 0.05, size=days)
    w = WEEKDAY_FACTOR[weekday] * trend * noise
    return w / w.sum()


def local_time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after local midnight following the breakfast/lunch/dinner cycle."""
    part = rng.choice(len(CYCLE_SHARE), size=n, p=CYCLE_SHARE)
    hours = rng.normal(CYCLE_MEAN_H[part], CYCLE_SD_H[part])
    flat = part == len(CYCLE_SHARE) - 1
    hours[flat] = rng.uniform(0.0, 24.0, size=int(flat.sum()))
    return np.mod(np.round(hours * 3600.0), DAY_S).astype(np.int64)


def _offset_s(zone: ZoneInfo, local: dt.datetime) -> float:
    offset = zone.utcoffset(local.replace(tzinfo=zone))
    assert offset is not None  # a ZoneInfo has an offset at every instant
    return offset.total_seconds()


def utc_offsets(start: dt.date, days: int) -> np.ndarray:
    """UTC offset in seconds per (city, day), taken at local noon (so DST is respected)."""
    zones = {c.timezone: ZoneInfo(c.timezone) for c in CITIES}
    noon = [dt.datetime.combine(start, dt.time(12)) + dt.timedelta(days=d) for d in range(days)]
    by_zone = {name: [_offset_s(z, t) for t in noon] for name, z in zones.items()}
    return np.array([by_zone[c.timezone] for c in CITIES], dtype=np.int64)


def to_utc_in_window(
    day_index: np.ndarray, local_s: np.ndarray, offset_s: np.ndarray, start: dt.date, days: int
) -> np.ndarray:
    """Local day + time in a city -> epoch seconds, wrapped into the window [start, end)."""
    rel = day_index.astype(np.int64) * DAY_S + local_s - offset_s
    return epoch_s(start) + np.mod(rel, days * DAY_S)
