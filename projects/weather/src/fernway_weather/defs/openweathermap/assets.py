"""Raw weather tables: hourly observations and daily-issued forecasts per delivery city."""

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fernway_core.clock import Clock
from fernway_core.http import HttpError
from fernway_core.partitions import HOURLY
from fernway_core.rejects import REJECTS_TABLE, fill_partition, stamp
from fernway_core.validation import validate_records
from fernway_core.warehouse import Replacement, Warehouse
from fernway_weather.defs.locations.assets import LOCATIONS_KEY, read_locations
from fernway_weather.defs.openweathermap import contracts
from fernway_weather.defs.openweathermap.client import WeatherClient
from fernway_weather.defs.openweathermap.coverage import CHECK_NAME, coverage_result
from fernway_weather.defs.openweathermap.observations import actual_rows, forecast_rows
from fernway_weather.defs.openweathermap.periods import split_window
from fernway_weather.defs.openweathermap.resources import OpenWeatherMap

ACTUAL_TABLE = "raw.weather_actual"
FORECAST_TABLE = "raw.weather_forecast"
ACTUAL_KEY = dg.AssetKey(["raw", "weather_actual"])
FORECAST_KEY = dg.AssetKey(["raw", "weather_forecast"])
COVERAGE = dg.AssetCheckSpec(
    CHECK_NAME,
    asset=ACTUAL_KEY,
    blocking=True,
    description="Each delivery city has exactly one observation for each hour of the run.",
)
COMMON: dict[str, Any] = {
    "group_name": "openweathermap",
    "kinds": {"python", "duckdb"},
    "owners": ["team:weather"],
    "deps": [LOCATIONS_KEY],
    "retry_policy": dg.RetryPolicy(
        max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
}


def _utc_naive(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def _no_retry_on_auth(exc: HttpError) -> Exception:
    """A rejected key will not fix itself: fail the step without burning retries."""
    if exc.status in (401, 403):
        return dg.Failure(description=str(exc), allow_retries=False)
    return exc


def _fetch_actual(
    api: WeatherClient,
    cities: list[dict],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    log: Callable[[str], None],
) -> list[dict]:
    periods = split_window(start, end, now)
    rows: list[dict] = []
    started = time.monotonic()
    for done, city in enumerate(cities, start=1):
        where = (city["latitude"], city["longitude"])
        if periods.history:
            rows += actual_rows(city["city_id"], api.history(*where, *periods.history), "history")
        if periods.current_hour:
            rows += actual_rows(city["city_id"], [api.current(*where)], "current")
        elapsed = time.monotonic() - started
        log(
            f"progress: weather cities {done}/{len(cities)}, {api.api.stats.requests} calls "
            f"({api.quota.limit}/min allowed), ETA {elapsed / done * (len(cities) - done):.0f} s"
        )
    return rows


def _add_column(table: pa.Table, after: str, name: str, values: pa.Array) -> pa.Table:
    return table.add_column(table.schema.get_field_index(after) + 1, name, values)


@dg.asset(
    key=ACTUAL_KEY,
    partitions_def=HOURLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[COVERAGE],
    **COMMON,
)
def raw_weather_actual(
    context: dg.AssetExecutionContext,
    openweathermap: OpenWeatherMap,
    warehouse: Warehouse,
    clock: Clock,
) -> dg.MaterializeResult:
    """Observed weather per delivery city and UTC hour (History API; current hour: now)."""
    window = context.partition_time_window
    start, end = window.start.astimezone(dt.UTC), window.end.astimezone(dt.UTC)
    cities = read_locations(warehouse)
    now = clock.now()
    try:
        with openweathermap.client() as api:
            rows = _fetch_actual(api, cities, start, end, now, context.log.info)
            stats = api.metadata()
    except HttpError as exc:
        raise _no_retry_on_auth(exc) from exc
    result = validate_records(rows, contracts.ACTUAL, source=contracts.SOURCE)
    loaded = stamp(result.valid, _utc_naive(now))
    hours = pc.floor_temporal(loaded["observed_at"], unit="hour")
    loaded = _add_column(loaded, "observed_at", "observed_hour", hours)
    keys = [f"{start:%Y-%m-%d-%H:00}", f"{end:%Y-%m-%d-%H:00}"]
    bounds = [_utc_naive(start), _utc_naive(end)]
    warehouse.replace_many(
        [
            Replacement(ACTUAL_TABLE, loaded, "observed_hour >= ? and observed_hour < ?", bounds),
            Replacement(
                REJECTS_TABLE,
                fill_partition(stamp(result.rejects, _utc_naive(now)), keys[0]),
                "source = ? and entity = ? and partition_key >= ? and partition_key < ?",
                [contracts.SOURCE, contracts.ACTUAL.entity, *keys],
            ),
        ]
    )
    check = coverage_result(warehouse, [c["city_id"] for c in cities], *bounds)
    return dg.MaterializeResult(
        metadata={
            **warehouse.table_metadata(ACTUAL_TABLE),
            "dagster/partition_row_count": loaded.num_rows,
            "cities": len(cities),
            **result.as_metadata(),
            **stats,
        },
        check_results=[check],
    )


@dg.asset(key=FORECAST_KEY, **COMMON)
def raw_weather_forecast(
    openweathermap: OpenWeatherMap, warehouse: Warehouse, clock: Clock
) -> dg.MaterializeResult:
    """5 day / 3 hour forecasts per delivery city; one snapshot per UTC day, rerun replaces it."""
    cities = read_locations(warehouse)
    now = clock.now().replace(second=0, microsecond=0)
    try:
        with openweathermap.client() as api:
            rows = []
            for city in cities:
                body = api.forecast(city["latitude"], city["longitude"])
                rows += forecast_rows(city["city_id"], body, now)
            stats = api.metadata()
    except HttpError as exc:
        raise _no_retry_on_auth(exc) from exc
    result = validate_records(rows, contracts.FORECAST, source=contracts.SOURCE)
    loaded = stamp(result.valid, _utc_naive(now))
    issued_date = pc.cast(loaded["issued_at"], pa.date32())
    loaded = _add_column(loaded, "issued_at", "issued_date", issued_date)
    day = now.date()
    warehouse.replace_many(
        [
            Replacement(FORECAST_TABLE, loaded, "issued_date = ?", [day]),
            Replacement(
                REJECTS_TABLE,
                fill_partition(stamp(result.rejects, _utc_naive(now)), day.isoformat()),
                "source = ? and entity = ? and partition_key = ?",
                [contracts.SOURCE, contracts.FORECAST.entity, day.isoformat()],
            ),
        ]
    )
    return dg.MaterializeResult(
        metadata={
            **warehouse.table_metadata(FORECAST_TABLE),
            "issued_date": day.isoformat(),
            "cities": len(cities),
            **result.as_metadata(),
            **stats,
        }
    )
