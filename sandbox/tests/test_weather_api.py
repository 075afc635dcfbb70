"""The OpenWeatherMap-compatible weather API over real HTTP: shapes, key, rate limit, clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time

import httpx
import pytest

from fernway_sandbox import ConfigError, SandboxConfig
from fernway_sandbox.cities import CITIES
from fernway_sandbox.owm import CONDITIONS
from fernway_sandbox.pytest_plugin import SMALL, start_sandbox

KEY = "sandbox-weather-key"
CLOCK = dt.datetime(2026, 1, 15, 13, 37, tzinfo=dt.UTC)
LONDON = {"lat": 51.5072, "lon": -0.1276}
WEATHER_ONLY = {"services": ("weather",), "clock": CLOCK}
MAIN_KEYS = {"temp", "feels_like", "temp_min", "temp_max", "pressure", "humidity"}


@pytest.fixture(scope="module")
def weather():
    config = dataclasses.replace(SMALL, weather_calls_per_minute=10_000, **WEATHER_ONLY)
    with start_sandbox(config) as sandbox, httpx.Client(base_url=sandbox.urls["weather"]) as http:
        yield sandbox, http


def get(http: httpx.Client, path: str, **params: object) -> httpx.Response:
    return http.get(f"/data/2.5/{path}", params={"appid": KEY, **params})


def check_condition(block: dict) -> None:
    main, description = CONDITIONS[block["id"]]
    assert (block["main"], block["description"]) == (main, description)
    assert block["icon"][-1] in "dn"
    assert len(block["icon"]) == 3


def test_current_weather_has_the_openweathermap_shape(weather):
    _, http = weather
    body = get(http, "weather", units="metric", **LONDON).raise_for_status().json()
    assert set(body) >= {"coord", "weather", "main", "wind", "clouds", "dt", "sys", "timezone"}
    assert body["coord"] == {"lon": -0.1276, "lat": 51.5072}
    assert (body["id"], body["name"], body["cod"]) == (2643743, "London", 200)
    assert body["sys"]["country"] == "GB"
    assert body["timezone"] == 0  # GMT in January
    assert body["sys"]["sunrise"] < body["dt"] < body["sys"]["sunset"]
    assert body["dt"] == int(CLOCK.replace(minute=30).timestamp())
    check_condition(body["weather"][0])
    assert body["weather"][0]["icon"].endswith("d")
    assert set(body["main"]) >= MAIN_KEYS
    assert body["main"]["temp_min"] <= body["main"]["temp"] <= body["main"]["temp_max"]
    assert -15 < body["main"]["temp"] < 20
    assert 0 <= body["clouds"]["all"] <= 100
    assert set(body["wind"]) >= {"speed", "deg"}


def test_units_convert_temperatures_and_wind(weather):
    _, http = weather
    metric, standard, imperial = (
        get(http, "weather", units=u, **LONDON).json() for u in ("metric", "standard", "imperial")
    )
    assert get(http, "weather", **LONDON).json() == standard  # standard (Kelvin) is the default
    t = metric["main"]["temp"]
    assert standard["main"]["temp"] == pytest.approx(t + 273.15, abs=0.01)
    assert imperial["main"]["temp"] == pytest.approx(t * 9 / 5 + 32, abs=0.01)
    assert standard["wind"]["speed"] == metric["wind"]["speed"]
    assert imperial["wind"]["speed"] == pytest.approx(metric["wind"]["speed"] * 2.23694, abs=0.01)
    assert metric["main"]["pressure"] == imperial["main"]["pressure"]


def test_forecast_has_40_three_hour_steps_and_a_city_block(weather):
    _, http = weather
    body = get(http, "forecast", units="metric", **LONDON).raise_for_status().json()
    assert (body["cod"], body["cnt"], len(body["list"])) == ("200", 40, 40)
    steps = [entry["dt"] for entry in body["list"]]
    assert steps[0] == int(dt.datetime(2026, 1, 15, 15, tzinfo=dt.UTC).timestamp())
    assert {b - a for a, b in itertools.pairwise(steps)} == {3 * 3600}
    assert body["city"]["name"] == "London"
    assert body["city"]["coord"] == {"lat": 51.5072, "lon": -0.1276}
    assert set(body["city"]) >= {"id", "country", "timezone", "sunrise", "sunset"}
    for entry in body["list"]:
        stamp = dt.datetime.fromtimestamp(entry["dt"], dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        assert entry["dt_txt"] == stamp
        assert set(entry["main"]) >= MAIN_KEYS
        assert entry["main"]["temp_min"] <= entry["main"]["temp"] <= entry["main"]["temp_max"]
        assert 0 <= entry["pop"] <= 1
        assert entry["sys"]["pod"] in ("d", "n")
        check_condition(entry["weather"][0])
        if "rain" in entry or "snow" in entry:
            assert entry["pop"] >= 0.6
            assert entry["weather"][0]["id"] < 700
    assert len(get(http, "forecast", cnt=5, **LONDON).json()["list"]) == 5


def history(http: httpx.Client, start: dt.datetime, **params: object) -> httpx.Response:
    query = {"type": "hour", "start": int(start.timestamp()), "units": "metric", **params}
    return get(http, "history/city", **LONDON, **query)


def test_history_has_one_observation_per_whole_hour_up_to_the_last_complete_hour(weather):
    _, http = weather  # the clock is 13:37: 13:00 is not over yet
    start = CLOCK.replace(hour=0, minute=0)
    body = history(http, start, end=int(CLOCK.timestamp()) + 3600).raise_for_status().json()
    hours = [entry["dt"] for entry in body["list"]]
    assert hours == [int(start.timestamp()) + 3600 * h for h in range(13)]
    assert (body["cod"], body["cnt"], body["message"]) == ("200", 13, "Count: 13")
    assert body["city_id"] == 2643743
    for entry in body["list"]:
        assert set(entry) >= {"dt", "main", "wind", "clouds", "weather"}
        assert set(entry["main"]) >= MAIN_KEYS
        check_condition(entry["weather"][0])
        assert set(entry.get("rain", {})) <= {"1h"}
    by_count = history(http, start + dt.timedelta(hours=2), cnt=3).json()
    assert by_count["list"] == body["list"][2:5]


def test_history_of_an_hour_matches_what_current_weather_said_during_it(weather):
    sandbox, http = weather
    try:
        for minute in (5, 55):
            sandbox.set_clock(dt.datetime(2026, 3, 2, 9, minute))
            now = get(http, "weather", units="metric", **LONDON).json()
            sandbox.set_clock(dt.datetime(2026, 3, 3))
            [past] = history(http, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), cnt=1).json()["list"]
            assert past["main"] == {k: now["main"][k] for k in past["main"]}
            assert (past["weather"], past["wind"]) == (now["weather"], now["wind"])
            assert past.get("rain") == now.get("rain")
    finally:
        sandbox.set_clock(CLOCK)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"type": "day", "start": 0}, "type must be hour"),
        ({"type": "hour"}, "start is required"),
        ({"type": "hour", "start": 0, "end": 8 * 86_400}, "requested period exceeds one week"),
    ],
)
def test_history_rejects_bad_periods_with_400(weather, params, message):
    _, http = weather
    response = get(http, "history/city", **LONDON, **params)
    assert (response.status_code, response.json()["message"]) == (400, message)


@pytest.mark.parametrize(
    ("lat", "lon", "daylight"),
    [(-33.8688, 151.2093, (6, 18)), (40.7128, -74.006, (9, 15)), (51.5, 0.0, (9, 15))],
)
def test_day_and_night_follow_the_local_sun_anywhere(weather, lat, lon, daylight):
    _, http = weather  # mid-January: long days in Sydney, short ones up north
    body = get(http, "forecast", lat=lat, lon=lon).json()
    for entry in body["list"]:
        solar_hour = (entry["dt"] / 3600 + lon / 15) % 24
        if daylight[0] <= solar_hour <= daylight[1]:
            assert entry["sys"]["pod"] == "d", entry["dt_txt"]
        if solar_hour <= 2 or solar_hour >= 22:
            assert entry["sys"]["pod"] == "n", entry["dt_txt"]
    city = body["city"]
    assert city["sunrise"] < city["sunset"] < city["sunrise"] + 86_400


def test_the_same_seed_clock_and_place_give_the_same_answers(weather, sandbox_factory):
    _, http = weather
    twin = sandbox_factory(**WEATHER_ONLY)
    other_seed = sandbox_factory(seed=7, **WEATHER_ONLY)
    for path in ("weather", "forecast"):
        ours = get(http, path, **LONDON).json()
        with httpx.Client(base_url=twin.urls["weather"]) as twin_http:
            assert get(twin_http, path, **LONDON).json() == ours
        with httpx.Client(base_url=other_seed.urls["weather"]) as other_http:
            assert get(other_http, path, **LONDON).json() != ours


def test_the_clock_decides_now_and_can_be_moved(weather):
    sandbox, http = weather
    try:
        sandbox.set_clock(dt.datetime(2026, 7, 15, 12))
        july = get(http, "weather", units="metric", **LONDON).json()
        assert july["dt"] == int(dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC).timestamp())
        assert july["timezone"] == 3600  # BST
        sandbox.set_clock(None)
        now = get(http, "weather", **LONDON).json()["dt"]
        assert abs(now - dt.datetime.now(dt.UTC).timestamp()) < 660
    finally:
        sandbox.set_clock(CLOCK)


def test_forecasts_show_rain_and_snow_episodes_spanning_several_steps(weather):
    sandbox, http = weather
    wet_runs, wet, cold_snow, snow = [], 0, 0, 0
    try:
        for month in (1, 2, 7, 10):
            sandbox.set_clock(dt.datetime(2026, month, 3))
            for city in CITIES:
                coords = {"lat": city.latitude, "lon": city.longitude}
                entries = get(http, "forecast", units="metric", **coords).json()["list"]
                flags = ["rain" in e or "snow" in e for e in entries]
                wet += sum(flags)
                run = 0
                for flag in [*flags, False]:
                    if not flag and run:
                        wet_runs.append(run)
                    run = run + 1 if flag else 0
                snowy = [e for e in entries if "snow" in e]
                snow += len(snowy)
                cold_snow += sum(e["main"]["temp_min"] < 1.0 for e in snowy)
    finally:
        sandbox.set_clock(CLOCK)
    assert 0.04 < wet / (4 * 20 * 40) < 0.3
    assert max(wet_runs) >= 3  # at least 9 hours of precipitation in a row
    assert sum(r >= 2 for r in wet_runs) > 20
    assert snow > 5
    assert cold_snow == snow


def test_wrong_or_missing_api_key_gets_openweathermap_401(weather):
    _, http = weather
    for params in ({"appid": "nope"}, {}):
        response = http.get("/data/2.5/weather", params={**LONDON, **params})
        assert response.status_code == 401
        assert response.json() == {
            "cod": 401,
            "message": "Invalid API key. "
            "Please see https://openweathermap.org/faq#error401 for more info.",
        }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Nothing to geocode"),
        ({"lat": 91, "lon": 0}, "wrong latitude"),
        ({"lat": 0, "lon": "x"}, "wrong longitude"),
    ],
)
def test_bad_coordinates_get_400_like_openweathermap(weather, params, message):
    _, http = weather
    response = get(http, "weather", **params)
    assert response.status_code == 400
    assert response.json() == {"cod": "400", "message": message}


def test_unknown_paths_get_404(weather):
    _, http = weather
    assert http.get("/data/2.5/onecall", params={"appid": KEY}).status_code == 404


def test_the_61st_call_in_a_minute_gets_429_with_retry_after(sandbox_factory):
    sandbox = sandbox_factory(**WEATHER_ONLY)
    with httpx.Client(base_url=sandbox.urls["weather"]) as http:
        codes = [get(http, "weather", **LONDON).status_code for _ in range(60)]
        assert http.get("/data/2.5/weather", params=LONDON).status_code == 401  # not counted
        limited = get(http, "forecast", **LONDON)
    assert codes == [200] * 60
    assert limited.status_code == 429
    assert limited.json()["cod"] == 429
    assert "requests limitation" in limited.json()["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    truth = sandbox.truth["weather"]
    assert truth == {
        "api_key": KEY,
        "calls_per_minute": 60,
        "window_s": 60.0,
        "calls_served": 60,
        "by_endpoint": {"weather": 60, "forecast": 0, "history": 0},
        "rate_limited": 1,
        "unauthorized": 1,
    }


def test_the_limit_and_key_are_configurable_and_advertised_in_env(sandbox_factory):
    sandbox = sandbox_factory(weather_calls_per_minute=3, weather_api_key="k2", **WEATHER_ONLY)
    env = sandbox.env()
    assert env["FERNWAY_WEATHER_URL"] == sandbox.urls["weather"]
    assert env["FERNWAY_WEATHER_API_KEY"] == "k2"
    with httpx.Client(base_url=sandbox.urls["weather"]) as http:
        codes = [http.get("/data/2.5/weather", params={"appid": "k2", **LONDON}) for _ in range(5)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    assert sandbox.truth["weather"]["rate_limited"] == 2


def test_the_limit_counts_in_the_configured_window(sandbox_factory):
    sandbox = sandbox_factory(weather_calls_per_minute=3, weather_window_s=1.0, **WEATHER_ONLY)
    with httpx.Client(base_url=sandbox.urls["weather"]) as http:
        started = time.monotonic()
        first = [get(http, "weather", **LONDON) for _ in range(4)]
        time.sleep(max(0.0, started + 1.1 - time.monotonic()))  # the first call left the window
        after = get(http, "weather", **LONDON)
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert first[-1].headers["Retry-After"] == "1"
    assert after.status_code == 200
    assert sandbox.truth["weather"]["window_s"] == 1.0


@pytest.mark.parametrize("window", [0, -1.0, "10", True])
def test_the_window_must_be_a_positive_number(window):
    with pytest.raises(ConfigError, match="weather_window_s must be a positive number"):
        SandboxConfig(weather_window_s=window)


def test_injected_faults_apply_to_the_weather_api(sandbox_factory):
    sandbox = sandbox_factory(faults={"weather": "error_rate=1"}, **WEATHER_ONLY)
    with httpx.Client(base_url=sandbox.urls["weather"]) as http:
        assert get(http, "weather", **LONDON).status_code >= 500
        sandbox.set_faults("weather", rate_limit_rate=1.0, retry_after_s=2)
        limited = get(http, "weather", **LONDON)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "2")
