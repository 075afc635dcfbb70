"""OpenWeatherMap calls under one quota: current weather, 5 day forecast, hourly history."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from fernway_core.http import HttpClient, HttpError
from fernway_core.rate_limit import RollingQuota

HOUR = dt.timedelta(hours=1)
HISTORY_MAX = dt.timedelta(days=7)  # the History API answers at most one week per call
FORECAST_STEPS = 40  # 5 days of 3-hour steps


_QUOTAS: dict[tuple[str, int], RollingQuota] = {}
_QUOTAS_LOCK = threading.Lock()


def shared_quota(api_key: str, calls_per_minute: int) -> RollingQuota:
    """The one quota of an API key in this process, so consecutive steps and clients share it."""
    with _QUOTAS_LOCK:
        return _QUOTAS.setdefault((api_key, calls_per_minute), RollingQuota(calls_per_minute))


def reset_shared_quotas() -> None:
    """Forget every key's quota (tests start each case with a fresh process-wide registry)."""
    with _QUOTAS_LOCK:
        _QUOTAS.clear()


def week_chunks(start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut into consecutive periods of at most one week."""
    while start < end:
        stop = min(start + HISTORY_MAX, end)
        yield start, stop
        start = stop


class WeatherClient:
    """One quota (the key's calls per minute) shared by the api and history hosts.

    `window_s` is the window the limit counts calls in: a minute at OpenWeatherMap; a shorter
    one (e.g. 20 calls per 10 s) only where a server counts that way, like a fast sandbox.

    The quota paces calls so the limit is never exceeded from here; a 429 from the server
    (another process using the same key) is honoured through `Retry-After` and pauses every
    call sharing the quota. Downtime (5xx) and connection errors are retried with backoff.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        calls_per_minute: int,
        *,
        window_s: float = 60.0,
        history_url: str | None = None,
        units: str = "metric",
        max_retries: int = 8,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        quota: RollingQuota | None = None,
    ) -> None:
        self.quota = quota or RollingQuota(calls_per_minute, window_s, clock=clock, sleep=sleep)
        self.units = units
        self._clock = clock
        self._started = clock()
        self._throttled_before = self.quota.throttled
        options: dict[str, Any] = {
            "api_key": api_key,
            "api_key_param": "appid",
            "limiter": self.quota,
            "max_retries": max_retries,
            "timeout_s": timeout_s,
            "transport": transport,
            "clock": clock,
            "sleep": sleep,
            "now": now,
            "jitter": jitter,
        }
        self.api = HttpClient(base_url, **options)
        separate = history_url and history_url.rstrip("/") != base_url.rstrip("/")
        self.history_api = (
            HttpClient(history_url, **options) if history_url and separate else self.api
        )
        self.history_api.stats = self.api.stats  # one set of counters for both hosts

    def __enter__(self) -> WeatherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()
        self.history_api.close()

    def current(self, lat: float, lon: float) -> dict:
        """Current weather at the coordinates."""
        return self.api.get_json("/data/2.5/weather", self._where(lat, lon))

    def forecast(self, lat: float, lon: float) -> dict:
        """The 5 day / 3 hour forecast issued now."""
        params = {**self._where(lat, lon), "cnt": FORECAST_STEPS}
        return self.api.get_json("/data/2.5/forecast", params)

    def history(self, lat: float, lon: float, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Hourly observations of the whole hours in [start, end): one call per week at most."""
        entries: list[dict] = []
        for first, stop in week_chunks(start, end):
            params = {
                **self._where(lat, lon),
                "type": "hour",
                "start": int(first.timestamp()),
                "end": int((stop - HOUR).timestamp()),
            }
            body = self.history_api.get_json("/data/2.5/history/city", params)
            if not isinstance(body, dict) or not isinstance(body.get("list"), list):
                raise HttpError(
                    f"history for {lat},{lon} from {first:%Y-%m-%d %H:%M}: no 'list' in the body",
                    url="/data/2.5/history/city",
                )
            entries.extend(body["list"])
        return entries

    def metadata(self) -> dict[str, Any]:
        """HTTP counters of both hosts plus the quota: limit, what is left, pace achieved."""
        calls = self.api.stats.requests
        minutes = max((self._clock() - self._started) / 60.0, 1e-9)
        return {
            **self.api.stats.as_metadata(),
            "quota_calls_per_minute": self.quota.limit,
            "quota_remaining": self.quota.remaining(),
            "quota_throttled_by_server": self.quota.throttled - self._throttled_before,
            "calls_per_minute_achieved": round(calls / minutes, 2) if calls > 1 else 0.0,
        }

    def _where(self, lat: float, lon: float) -> dict[str, object]:
        return {"lat": lat, "lon": lon, "units": self.units}
