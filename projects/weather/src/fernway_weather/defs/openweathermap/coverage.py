"""The blocking check raw_weather_actual runs on each load: every city has every hour once."""

import datetime as dt

import dagster as dg

from fernway_core.warehouse import Warehouse

CHECK_NAME = "covers_every_city_and_hour"
PER_CITY_SQL = """
select city_id, count(*) as rows, count(distinct observed_hour) as hours
from raw.weather_actual
where observed_hour >= ? and observed_hour < ?
group by city_id
"""


def coverage_result(
    warehouse: Warehouse, city_ids: list[str], start: dt.datetime, end: dt.datetime
) -> dg.AssetCheckResult:
    """Pass when rows = distinct (city, hour) = cities x hours of [start, end)."""
    hours = (end - start) // dt.timedelta(hours=1)
    per_city = warehouse.query_arrow(PER_CITY_SQL, [start, end]).to_pylist()
    rows = sum(r["rows"] for r in per_city)
    city_hours = sum(r["hours"] for r in per_city)
    covered = {r["city_id"]: r["hours"] for r in per_city}
    short = sorted(c for c in city_ids if covered.get(c, 0) < hours)
    expected = len(city_ids) * hours
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=rows == city_hours == expected,
        metadata={
            "expected_city_hours": expected,
            "rows": rows,
            "distinct_city_hours": city_hours,
            "cities_missing_hours": ", ".join(short) or "none",
        },
    )
