"""Deterministic hourly weather for any place: climate cycles, smooth weather systems and
multi-hour rain/snow episodes, a pure function of (seed, place rounded to 0.01°, hour)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

YEAR_D = 365.2425
SLOT_H = 12  # at most one precipitation episode starts in each 12-hour slot
WAVES = 5  # sinusoids per smooth process
SNOW_BELOW_C = 1.0
_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# Streams: independent random sequences of one place.
TEMP, CLOUD, PRESSURE, HUMID, WIND, WIND_DIR, VEER, EPISODE, NOISE, FIELD = range(10)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def uniform(index: np.ndarray, *keys: int) -> np.ndarray:
    """Uniform numbers in [0, 1), one per `index`, a pure function of (keys, index)."""
    h = np.zeros(np.shape(index), dtype=np.uint64)
    for key in keys:
        h = _mix(h ^ np.uint64(key & _MASK))
    h = _mix(h ^ np.asarray(index, dtype=np.int64).astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass(frozen=True)
class Place:
    """Where the weather is computed: the seed and coordinates rounded to 0.01°."""

    seed: int
    lat: float
    lon: float

    @property
    def keys(self) -> tuple[int, int, int]:
        """Integer identity of the place: (seed, lat x100, lon x100)."""
        return self.seed, round(self.lat * 100), round(self.lon * 100)

    @property
    def grid(self) -> tuple[float, float]:
        """(lat, lon) rounded to 0.01°: all the model sees of the coordinates."""
        return self.keys[1] / 100, self.keys[2] / 100

    def smooth(self, stream: int, hours: np.ndarray) -> np.ndarray:
        """A smooth process of unit variance (weather systems over 1.5 to 9 days)."""
        k = np.arange(WAVES)
        period = 36.0 + 180.0 * uniform(k, *self.keys, stream, 0)
        phase = 2 * np.pi * uniform(k, *self.keys, stream, 1)
        waves = np.sin(2 * np.pi * hours[:, None] / period + phase)
        return np.sqrt(2.0 / WAVES) * waves.sum(axis=1)


@dataclass(frozen=True)
class Hourly:
    """Weather at each requested hour (SI units: °C, hPa, m/s, mm per hour)."""

    hours: np.ndarray
    temp_c: np.ndarray
    humidity: np.ndarray
    pressure: np.ndarray
    wind_speed: np.ndarray
    wind_deg: np.ndarray
    wind_gust: np.ndarray
    clouds: np.ndarray
    rain_mm: np.ndarray
    snow_mm: np.ndarray
    convective: np.ndarray

    def at(self, index: np.ndarray) -> Hourly:
        """The hours at positions `index`."""
        return replace(self, **{f.name: getattr(self, f.name)[index] for f in fields(self)})


def climate(lat: float, lon: float) -> tuple[float, float, float]:
    """(annual mean °C, seasonal half-range °C, dry-summer factor 0..1) from the coordinates."""
    a = abs(lat)
    inland = 0.1 * min(max(lon + 10.0, 0.0), 40.0) if -30 < lon < 60 else 0.0
    east_coast = 6.0 if -100 < lon < -50 else 0.0  # continental winters of eastern N. America
    dry_summer = min(max((46.0 - a) / 8.0, 0.0), 1.0) if -30 < lon < 45 else 0.0
    return min(27.0, 35.0 - 0.47 * a), 1.0 + 0.1 * a + inland + east_coast, dry_summer


def season(lat: float, hours: np.ndarray) -> np.ndarray:
    """-1 in midwinter, +1 in midsummer of the place's hemisphere (lagging the solstices)."""
    nh = -np.cos(2 * np.pi * (hours / 24.0 - 20.0) / YEAR_D)
    return nh if lat >= 0 else -nh


def episodes(
    place: Place, hours: np.ndarray, summer: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precipitation mm/h, convective, near an episode) from episodes starting per 12-h slot.

    An episode starts in a slot with a probability that falls in dry summers and rises with low
    pressure; it lasts 2-15 h (showers 1-3 h), rising to a peak and easing off.
    """
    mean, amp, dry = climate(*place.grid)
    rate = np.zeros(len(hours))
    convective = np.zeros(len(hours), dtype=bool)
    near = np.zeros(len(hours), dtype=bool)
    for back in (-1, 0, 1, 2):  # the next slot (for `near`), this one and two before
        slot = hours // SLOT_H - back
        u = [uniform(slot, *place.keys, EPISODE, i) for i in range(5)]
        mid = slot * SLOT_H + SLOT_H / 2.0
        low = np.clip(1.0 - 0.5 * place.smooth(PRESSURE, mid), 0.3, 1.7)
        happens = u[0] < 0.22 * (1.0 - 0.85 * dry * summer) * low
        warmth = np.clip((mean + amp - 18.0) / 8.0, 0.0, 1.0)
        shower = happens & (u[4] < 0.45 * np.clip(summer, 0, 1) * warmth)
        start = slot * SLOT_H + np.floor(u[1] * SLOT_H)
        length = np.where(shower, 1 + np.floor(u[2] * 3), 2 + np.floor(u[2] ** 1.5 * 14))
        peak = np.where(shower, 2.0 + 18.0 * u[3] ** 2, 0.2 + 3.0 * u[3] ** 3)
        pos = hours - start
        inside = happens & (pos >= 0) & (pos < length) & (back >= 0)
        shape = 0.35 + 0.65 * np.sin(np.pi * (pos + 0.5) / length)
        rate = np.maximum(rate, np.where(inside, peak * shape, 0.0))
        convective |= inside & shower
        near |= happens & (pos >= -3) & (pos < length + 2)
    noise = 0.75 + 0.5 * uniform(hours, *place.keys, NOISE, 0)
    return np.where(rate > 0, np.maximum(rate * noise, 0.05), 0.0), convective, near


def hourly(place: Place, hours: np.ndarray) -> Hourly:
    """The weather of `place` at each epoch hour in `hours` (int array)."""
    hours = np.asarray(hours, dtype=np.int64)
    h = hours.astype(np.float64)
    lat, lon = place.grid
    mean, amp, dry = climate(lat, lon)
    seasonal = season(lat, h)
    summer = (1.0 + seasonal) / 2.0
    day = np.cos(2 * np.pi * ((h + lon / 15.0) % 24 - 15.0) / 24.0)  # +1 at 15:00 solar
    rate, convective, near = episodes(place, hours, summer)
    wet = rate > 0
    u = uniform(hours, *place.keys, NOISE, 1)
    base = np.clip(50 + 40 * place.smooth(CLOUD, h) - 25 * dry * summer, 0, 100)
    clouds = np.where(wet, 90 + 10 * u, np.where(near, np.maximum(base, 75 + 20 * u), base))
    swing = (4.5 + 2.0 * dry * summer) * (1 - 0.55 * clouds / 100)
    temp = mean + amp * seasonal + swing * day + 2.8 * place.smooth(TEMP, h) - 1.5 * wet
    humid = 72 - 14 * day - 15 * dry * summer + 8 * place.smooth(HUMID, h) + 0.08 * (clouds - 50)
    humid = np.clip(np.where(wet, 88 + 10 * u, humid), 20, 100)
    speed = 3.2 + 1.8 * place.smooth(WIND, h) + 0.8 * day + np.where(wet, 1.5 + 0.15 * rate, 0)
    speed = np.clip(speed, 0.3, 30.0)
    snow = wet & (temp < SNOW_BELOW_C)
    return Hourly(
        hours=hours,
        temp_c=temp,
        humidity=np.round(humid),
        pressure=np.round(1013 + 10 * place.smooth(PRESSURE, h) - 4 * wet),
        wind_speed=speed,
        wind_deg=np.round(225 + 90 * place.smooth(WIND_DIR, h) + 40 * place.smooth(VEER, h)) % 360,
        wind_gust=speed * (1.3 + 0.4 * uniform(hours, *place.keys, NOISE, 2)),
        clouds=np.round(clouds),
        rain_mm=np.where(snow, 0.0, rate),
        snow_mm=np.where(snow, rate, 0.0),
        convective=convective & ~snow,
    )
