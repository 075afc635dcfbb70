"""This location's section of the demo summary: every delivery city and hour of the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fernway_core.warehouse import Warehouse


def summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """City-hours in `weather.fct_weather_actual` against cities x hours of the window."""
    start, end = window
    bounds = [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())]
    [row] = warehouse.query_arrow(
        "select (select count(*) from weather.all_locations) as cities, "
        "(select count(*) from (select distinct city_id, observed_hour "
        "from weather.fct_weather_actual where observed_hour >= ? and observed_hour < ?) "
        "as city_hours) as covered",
        bounds,
    ).to_pylist()
    hours = (end - start).days * 24
    expected = row["cities"] * hours
    verdict = "= every city and hour" if row["covered"] == expected else f"!= {expected:,}"
    return [
        {
            "title": "Weather facts",
            "lines": [
                f"{row['covered']:,} city-hours of {row['cities']} cities x {hours:,} hours "
                f"{verdict}"
            ],
            "mismatches": int(row["covered"] != expected),
        }
    ]
