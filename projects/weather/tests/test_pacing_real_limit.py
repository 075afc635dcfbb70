"""The real WeatherClient against the sandbox's weather API at a low real limit, in real time.

Server and client agree on 20 calls per rolling 10 s (a minute scaled down so a test takes
seconds): alone, the client keeps to the limit with no 429 and loses under 5% of it to pacing;
with another process spending the same key (`tests.neighbour`), it honours each 429's
Retry-After and still gets every city-hour exactly once. A stopwatch around the real HTTP
transport notes when each call went out.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from statistics import mean

import httpx
import pytest

from fernway_sandbox.cities import CITIES
from fernway_weather.defs.openweathermap.client import WeatherClient
from tests.conftest import NOW, WINDOW_START

LIMIT, WINDOW_S = 20, 10.0
PROJECT = Path(__file__).resolve().parents[1]


class Stopwatch(httpx.BaseTransport):
    """The real HTTP transport, noting when each call went out and how it was answered."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        # (sent, answered, status, Retry-After) per call, in order
        self.calls: list[tuple[float, float, int, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.monotonic()
        response = self.inner.handle_request(request)
        answer = (response.status_code, response.headers.get("Retry-After"))
        self.calls.append((sent, time.monotonic(), *answer))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def limited(sandbox_factory):
    """The weather API alone, at 20 calls per 10 s per key, its clock at NOW."""
    return sandbox_factory(
        services=("weather",), clock=NOW, weather_calls_per_minute=LIMIT, weather_window_s=WINDOW_S
    )


def city_hours(hours: int) -> list[tuple[str, dt.datetime]]:
    """Every city at each of the first `hours` hours of the window."""
    starts = [WINDOW_START + dt.timedelta(hours=h) for h in range(hours)]
    return [(city.city_id, hour) for city in CITIES for hour in starts]


def fetch(sandbox, wanted: list[tuple[str, dt.datetime]], watch: Stopwatch) -> Counter:
    """One History API call per city-hour through the real client; how often each came back."""
    where = {city.city_id: (city.latitude, city.longitude) for city in CITIES}
    got: Counter = Counter()
    key = sandbox.config.weather_api_key
    url = sandbox.urls["weather"]
    with WeatherClient(url, key, LIMIT, window_s=WINDOW_S, transport=watch) as api:
        for city_id, hour in wanted:
            for entry in api.history(*where[city_id], hour, hour + dt.timedelta(hours=1)):
                got[(city_id, dt.datetime.fromtimestamp(entry["dt"], dt.UTC))] += 1
        assert api.quota.throttled == sum(status == 429 for _, _, status, _ in watch.calls)
    return got


def test_alone_the_client_keeps_to_the_limit_without_a_429_and_within_5_percent_of_it(limited):
    wanted = city_hours(3)  # 60 calls: three windows' worth
    watch = Stopwatch()
    got = fetch(limited, wanted, watch)
    assert got == Counter(wanted)
    assert [status for _, _, status, _ in watch.calls] == [200] * 60
    truth = limited.truth["weather"]
    assert (truth["rate_limited"], truth["by_endpoint"]["history"]) == (0, 60)
    sent = [call[0] for call in watch.calls]
    spans = [later - first for first, later in zip(sent, sent[LIMIT:], strict=False)]
    # any LIMIT + 1 consecutive calls span at least a window: never faster than the limit ...
    assert min(spans) >= WINDOW_S
    # ... and on average hardly more: the pace is within 5% of the limit
    pace = LIMIT / mean(spans)
    assert pace >= 0.95 * LIMIT / WINDOW_S, f"{pace:.3f} calls/s against {LIMIT / WINDOW_S}"


def test_another_process_spending_the_key_gets_429s_honoured_and_loses_no_city_hour(limited):
    url, key = limited.urls["weather"], limited.config.weather_api_key
    neighbour = subprocess.Popen(
        [sys.executable, "-m", "tests.neighbour", url, key, "10", "12"],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert neighbour.stdout.readline().strip() == "ready"  # it spent 10 calls of the window
        wanted = city_hours(2)
        watch = Stopwatch()
        got = fetch(limited, wanted, watch)
        out, _ = neighbour.communicate(timeout=60)
    finally:
        if neighbour.poll() is None:
            neighbour.kill()
    spent = json.loads(out.strip().splitlines()[-1])
    assert got == Counter(wanted)  # every city-hour, exactly once
    statuses = Counter(status for _, _, status, _ in watch.calls)
    assert statuses[200] == len(wanted)
    assert statuses[429] >= 1, "the neighbour's calls must have cost the client a 429"
    assert set(statuses) == {200, 429}
    for (_, answered, status, retry_after), (next_sent, *_) in zip(
        watch.calls, watch.calls[1:], strict=False
    ):
        if status == 429:  # the next call waited at least what the server asked
            assert next_sent - answered >= int(retry_after)
    truth = limited.truth["weather"]
    assert truth["by_endpoint"] == {"weather": spent["200"], "forecast": 0, "history": 40}
    assert truth["rate_limited"] == statuses[429] + spent.get("429", 0)
