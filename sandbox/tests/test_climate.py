"""The weather model: deterministic, seasonal and daily cycles, multi-hour rain/snow episodes."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from fernway_sandbox.climate import SNOW_BELOW_C, Place, hourly
from fernway_sandbox.ratelimit import RollingLimit, retry_after

YEAR_2026 = np.arange(
    int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()) // 3600,
    int(dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp()) // 3600,
)
LONDON = Place(42, 51.5072, -0.1276)
LISBON = Place(42, 38.7223, -9.1393)
STOCKHOLM = Place(42, 59.3293, 18.0686)
SYDNEY = Place(42, -33.8688, 151.2093)


def runs(flags: np.ndarray) -> np.ndarray:
    """Lengths of the runs of consecutive True values."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def month_mean(values: np.ndarray, month: int) -> float:
    """Mean over the hours of one month of 2026."""
    first = dt.datetime(2026, month, 1, tzinfo=dt.UTC)
    last = dt.datetime(2026 + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
    lo, hi = (int(t.timestamp()) // 3600 - YEAR_2026[0] for t in (first, last))
    return float(values[lo:hi].mean())


@pytest.fixture(scope="module")
def london():
    return hourly(LONDON, YEAR_2026)


def test_same_seed_and_place_give_identical_weather_and_other_seeds_differ(london):
    again = hourly(Place(42, 51.50721, -0.12759), YEAR_2026)  # same place at 0.01 degrees
    other = hourly(Place(7, 51.5072, -0.1276), YEAR_2026)
    assert np.array_equal(london.temp_c, again.temp_c)
    assert np.array_equal(london.rain_mm, again.rain_mm)
    assert not np.array_equal(london.temp_c, other.temp_c)
    assert not np.array_equal(london.rain_mm > 0, other.rain_mm > 0)


def test_an_hour_is_the_same_whichever_hours_are_asked_with_it(london):
    some = YEAR_2026[[5, 900, 4000, 8000]]
    alone = hourly(LONDON, some)
    assert np.array_equal(alone.temp_c, london.temp_c[[5, 900, 4000, 8000]])
    assert np.array_equal(alone.snow_mm, london.snow_mm[[5, 900, 4000, 8000]])


def test_summer_is_warmer_than_winter_in_each_hemisphere(london):
    assert month_mean(london.temp_c, 7) - month_mean(london.temp_c, 1) > 10
    sydney = hourly(SYDNEY, YEAR_2026)
    assert month_mean(sydney.temp_c, 1) - month_mean(sydney.temp_c, 7) > 5
    lisbon = hourly(LISBON, YEAR_2026)
    assert month_mean(lisbon.temp_c, 1) > month_mean(london.temp_c, 1) + 3
    assert 0 < month_mean(london.temp_c, 1) < 8
    assert 14 < month_mean(london.temp_c, 7) < 22


def test_afternoons_are_warmer_than_nights(london):
    by_hour = london.temp_c.reshape(-1, 24).mean(axis=0)  # UTC hours, London is near UTC
    assert by_hour[14:17].mean() - by_hour[2:5].mean() > 3


def test_values_stay_in_realistic_ranges(london):
    assert london.humidity.min() >= 20
    assert london.humidity.max() <= 100
    assert 960 < london.pressure.min() < london.pressure.max() < 1060
    assert 0 < london.wind_speed.min() < london.wind_speed.max() < 30
    assert np.all(london.wind_gust >= london.wind_speed)
    assert np.all((london.wind_deg >= 0) & (london.wind_deg < 360))
    assert np.all((london.clouds >= 0) & (london.clouds <= 100))
    assert -20 < london.temp_c.min() < london.temp_c.max() < 40


def test_precipitation_comes_in_multi_hour_episodes(london):
    wet = (london.rain_mm + london.snow_mm) > 0
    lengths = runs(wet)
    assert 0.05 < wet.mean() < 0.25
    # Independent hours at this wet fraction would give runs of about 1.1-1.3 hours.
    assert lengths.mean() > 4
    assert (lengths >= 8).sum() > 20
    assert 400 < (london.rain_mm + london.snow_mm).sum() < 1500  # mm per year


def test_it_rains_under_clouds_with_high_humidity(london):
    wet = (london.rain_mm + london.snow_mm) > 0
    assert london.clouds[wet].min() >= 90
    assert london.humidity[wet].min() >= 88
    assert london.pressure[wet].mean() < london.pressure[~wet].mean()


def test_snow_falls_only_when_cold_and_cold_places_get_it():
    for place in (LONDON, LISBON, STOCKHOLM):
        w = hourly(place, YEAR_2026)
        assert np.all(w.temp_c[w.snow_mm > 0] < SNOW_BELOW_C)
        assert np.all(w.rain_mm[w.snow_mm > 0] == 0)
    stockholm = hourly(STOCKHOLM, YEAR_2026)
    assert month_mean(stockholm.snow_mm > 0, 1) > 0.05
    assert month_mean(stockholm.snow_mm > 0, 7) == 0
    snowfalls = runs(stockholm.snow_mm > 0)
    assert len(snowfalls) > 10
    assert (snowfalls >= 4).sum() > 5


def test_mediterranean_summers_are_dry():
    lisbon = hourly(LISBON, YEAR_2026)
    wet = (lisbon.rain_mm > 0).astype(float)
    assert month_mean(wet, 7) < month_mean(wet, 1) / 3


def test_a_year_of_hours_is_computed_in_well_under_a_second():
    began = time.perf_counter()
    hourly(LONDON, YEAR_2026)
    assert time.perf_counter() - began < 0.5


def test_rolling_limit_allows_limit_calls_per_window_and_says_when_to_retry():
    now = [1000.0]
    limit = RollingLimit(3, window_s=60, clock=lambda: now[0])
    assert [limit.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    now[0] += 20
    assert limit.acquire("k") == pytest.approx(40)
    assert limit.acquire("other") == 0.0
    now[0] += 40
    assert limit.acquire("k") == 0.0
    assert retry_after(0.2) == "1"
    assert retry_after(39.01) == "40"
