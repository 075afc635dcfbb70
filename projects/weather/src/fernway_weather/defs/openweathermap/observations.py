"""Flatten OpenWeatherMap bodies into rows of the contracts (values kept raw for validation)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _instant(value: Any) -> Any:
    """Epoch seconds as an ISO UTC string; anything else unchanged (validation rejects it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat()
    return value


def _get(entry: Any, block: str, name: str) -> Any:
    part = entry.get(block) if isinstance(entry, dict) else None
    return part.get(name) if isinstance(part, dict) else None


def _measures(entry: dict) -> dict[str, Any]:
    weather = entry.get("weather")
    condition = weather[0] if isinstance(weather, list) and weather else {}
    condition = condition if isinstance(condition, dict) else {}
    return {
        "temp_c": _get(entry, "main", "temp"),
        "feels_like_c": _get(entry, "main", "feels_like"),
        "temp_min_c": _get(entry, "main", "temp_min"),
        "temp_max_c": _get(entry, "main", "temp_max"),
        "pressure_hpa": _get(entry, "main", "pressure"),
        "humidity_pct": _get(entry, "main", "humidity"),
        "wind_speed_ms": _get(entry, "wind", "speed"),
        "wind_deg": _get(entry, "wind", "deg"),
        "wind_gust_ms": _get(entry, "wind", "gust"),
        "clouds_pct": _get(entry, "clouds", "all"),
        "condition_id": condition.get("id"),
        "condition_main": condition.get("main"),
        "condition_description": condition.get("description"),
    }


def actual_rows(city_id: str, entries: list[Any], source: str) -> list[dict[str, Any]]:
    """One row per observation (`source`: history or current); no rain/snow block means 0 mm."""
    rows = []
    for entry in entries:
        entry = entry if isinstance(entry, dict) else {"dt": entry}
        observed_at = _instant(entry.get("dt"))
        rows.append(
            {
                "observation_id": f"{city_id}@{observed_at}",
                "city_id": city_id,
                "observed_at": observed_at,
                "source": source,
                **_measures(entry),
                "rain_1h_mm": _get(entry, "rain", "1h") or 0.0,
                "snow_1h_mm": _get(entry, "snow", "1h") or 0.0,
            }
        )
    return rows


def forecast_rows(city_id: str, body: Any, issued_at: dt.datetime) -> list[dict[str, Any]]:
    """One row per 3-hour step of a forecast issued at `issued_at`."""
    entries = body.get("list") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"forecast for {city_id}: the body has no 'list' of steps")
    issued = issued_at.isoformat()
    rows = []
    for entry in entries:
        entry = entry if isinstance(entry, dict) else {"dt": entry}
        forecast_for = _instant(entry.get("dt"))
        rows.append(
            {
                "forecast_id": f"{city_id}@{issued_at:%Y-%m-%d}@{forecast_for}",
                "city_id": city_id,
                "issued_at": issued,
                "forecast_for": forecast_for,
                **_measures(entry),
                "precipitation_probability": entry.get("pop"),
                "rain_3h_mm": _get(entry, "rain", "3h") or 0.0,
                "snow_3h_mm": _get(entry, "snow", "3h") or 0.0,
            }
        )
    return rows
