"""covers_every_city_and_hour fails, and blocks the dbt models built on the actuals, when a
city-hour is missing or doubled."""

import datetime as dt

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import TamperedWarehouse, failed_check, with_resources
from tests.conftest import WINDOW_START, hour_range_tags

ACTUAL = dg.AssetKey(["raw", "weather_actual"])
LOCATIONS = dg.AssetKey(["weather", "all_locations"])
CHECK = "covers_every_city_and_hour"
HOURS = 6
FIRST_HOUR = "(select min(observed_hour) from raw.weather_actual)"
TAMPERS = {
    "a city-hour deleted": "delete from raw.weather_actual "
    f"where city_id = 'lon' and observed_hour = {FIRST_HOUR}",
    "a city-hour duplicated": "insert into raw.weather_actual select * from raw.weather_actual "
    f"where city_id = 'lon' and observed_hour = {FIRST_HOUR}",
}


@pytest.fixture
def defs(weather_sandbox) -> dg.Definitions:
    """The weather location, loaded once the sandbox is wired in."""
    return load_location("fernway_weather.definitions")


def run_actuals(defs: dg.Definitions, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("actual_weather_job")
    return job.execute_in_process(
        instance=instance, tags=hour_range_tags(WINDOW_START, HOURS), raise_on_error=False
    )


def assert_blocked(defs: dg.Definitions, result: dg.ExecuteInProcessResult) -> None:
    """The loads happened; nothing the job builds on the actuals (the dbt models) ran."""
    assert result.success is False
    downstream = defs.resolve_asset_graph().get(ACTUAL).child_keys
    assert downstream, "raw/weather_actual feeds the dbt models"
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {LOCATIONS, ACTUAL}


def city_ids(warehouse) -> list[str]:
    rows = warehouse.query_arrow("select city_id from weather.all_locations order by 1")
    return rows.column("city_id").to_pylist()


@pytest.mark.fails_check("raw/weather_actual", CHECK)
def test_hours_the_api_does_not_serve_fail_the_check_and_block_the_models(
    weather_sandbox, defs, instance, warehouse
):
    # the History API serves complete hours before its "now": 2 of the window's 6
    weather_sandbox.set_clock(WINDOW_START + dt.timedelta(hours=2))
    result = run_actuals(defs, instance)
    check = failed_check(result, "raw/weather_actual", CHECK)
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert check.blocking
    cities = city_ids(warehouse)
    assert len(cities) == 20
    assert {k: check.metadata[k].value for k in check.metadata} == {
        "expected_city_hours": 20 * HOURS,
        "rows": 20 * 2,
        "distinct_city_hours": 20 * 2,
        "cities_missing_hours": ", ".join(cities),
    }
    assert_blocked(defs, result)


@pytest.mark.fails_check("raw/weather_actual", CHECK)
@pytest.mark.parametrize(("tamper", "rows", "distinct", "missing"), [
    ("a city-hour deleted", 20 * HOURS - 1, 20 * HOURS - 1, "lon"),
    ("a city-hour duplicated", 20 * HOURS + 1, 20 * HOURS, "none"),
])  # fmt: skip
def test_a_missing_or_doubled_city_hour_fails_the_check_and_blocks_the_models(
    tamper, rows, distinct, missing, defs, instance, warehouse
):
    tampered = TamperedWarehouse(
        url=warehouse.url, table="raw.weather_actual", tamper=TAMPERS[tamper]
    )
    result = run_actuals(with_resources(defs, warehouse=tampered), instance)
    check = failed_check(result, "raw/weather_actual", CHECK)
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert {k: check.metadata[k].value for k in check.metadata} == {
        "expected_city_hours": 20 * HOURS,
        "rows": rows,
        "distinct_city_hours": distinct,
        "cities_missing_hours": missing,
    }
    assert_blocked(defs, result)
