"""weather_fetch_efficiency: sustained calls per minute the weather client achieves / the limit.

Runs with the weather location's interpreter against a sandbox whose weather API allows
FERNWAY_WEATHER_CALLS_PER_MINUTE calls per key per rolling minute (60, the free plan). The
workload is the backfill's: one History API call per delivery city and week. A first round of
`limit` calls fills the server's window (a fresh key may burst that many at once); the figure
is the pace of the following 2 x `limit` calls, i.e. what a long backfill sustains.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

import httpx

from fernway_weather.defs.openweathermap.client import WeatherClient


def cities() -> list[dict]:
    """The delivery cities, from the marketplace API (20 by default)."""
    response = httpx.get(
        f"{os.environ['FERNWAY_MARKETPLACE_URL']}/v1/cities",
        headers={"Authorization": f"Bearer {os.environ['FERNWAY_MARKETPLACE_TOKEN']}"},
    )
    return response.raise_for_status().json()["data"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    limit = int(os.environ["FERNWAY_WEATHER_CALLS_PER_MINUTE"])
    places = cities()
    end = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    week = (end - dt.timedelta(days=7), end)
    client = WeatherClient(
        os.environ["FERNWAY_WEATHER_URL"], os.environ["FERNWAY_WEATHER_API_KEY"], limit
    )
    times: list[float] = []
    with client:
        first = time.monotonic()
        for i in range(3 * limit):
            city = places[i % len(places)]
            entries = client.history(city["latitude"], city["longitude"], *week)
            assert len(entries) == 7 * 24, f"{city['city_id']}: {len(entries)} hours"
            times.append(time.monotonic())
            if i % limit == limit - 1:
                print(f"[bench] weather: {i + 1} calls in {times[-1] - first:.1f} s", flush=True)
        stats = client.api.stats
    measured = times[limit:]
    seconds = measured[-1] - times[limit - 1]
    achieved = len(measured) / (seconds / 60.0)
    control = os.environ["FERNWAY_SANDBOX_CONTROL_URL"]
    served = httpx.get(f"{control}/truth").raise_for_status().json()["weather"]
    result = {
        "weather_fetch_efficiency": round(achieved / limit, 3),
        "target": ">= 0.9 with zero 429s not retried successfully",
        "calls_per_minute_limit": limit,
        "cities": len(places),
        "measured_calls": len(measured),
        "measured_seconds": round(seconds, 2),
        "calls_per_minute_achieved": round(achieved, 2),
        "warmup_calls": limit,
        "whole_run_calls_per_minute": round(len(times) / ((times[-1] - first) / 60.0), 2),
        "http_requests": stats.requests,
        "http_429_seen": stats.by_status.get(429, 0),
        "http_retries": stats.retries,
        "server_rate_limited": served["rate_limited"],
        "server_calls_served": served["calls_served"],
        "calls_answered": len(times),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
