"""The weather location end to end through the sandbox on DuckDB: raw loads, dbt, checks."""

import datetime as dt

import dagster as dg
import httpx

from fernway_core.clock import Clock
from fernway_core.warehouse import Warehouse
from tests.conftest import HOURS, NOW, WINDOW_START, hour_range_tags

LONDON = "lon"


def run_job(defs, instance, name: str, **kwargs) -> dg.ExecuteInProcessResult:
    """Run a job in process with the platform's clock at NOW (where the sandbox's stands)."""
    job = defs.resolve_job_def(name)
    return job.execute_in_process(
        instance=instance, raise_on_error=False, resources={"clock": Clock.at(NOW)}, **kwargs
    )


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]


def backfill_window(defs, instance) -> dg.ExecuteInProcessResult:
    return run_job(defs, instance, "actual_weather_job", tags=hour_range_tags(WINDOW_START, HOURS))


def test_actual_backfill_covers_every_city_and_hour_once_and_matches_the_api(
    weather_sandbox, defs, instance, warehouse: Warehouse
):
    result = backfill_window(defs, instance)
    assert result.success
    assert failed_checks(result) == []
    facts = warehouse.query_arrow(
        "select city_id, count(*) as hours, count(distinct observed_hour) as distinct_hours, "
        "min(observed_hour) as first, max(observed_hour) as last "
        "from weather.fct_weather_actual group by city_id order by city_id"
    ).to_pylist()
    assert len(facts) == 20
    first = WINDOW_START.replace(tzinfo=None)
    for row in facts:
        assert row["hours"] == row["distinct_hours"] == HOURS
        assert (row["first"], row["last"]) == (first, first + dt.timedelta(hours=HOURS - 1))
    # one History API call per city for 36 hours (a call covers up to a week)
    assert weather_sandbox.truth["weather"]["by_endpoint"]["history"] == 20
    # the fact for London at 09:00 is what the History API says about that hour
    hour = WINDOW_START + dt.timedelta(hours=9)
    body = httpx.get(
        f"{weather_sandbox.urls['weather']}/data/2.5/history/city",
        params={
            "lat": 51.5072,
            "lon": -0.1276,
            "type": "hour",
            "start": int(hour.timestamp()),
            "cnt": 1,
            "units": "metric",
            "appid": weather_sandbox.config.weather_api_key,
        },
    ).json()["list"][0]
    [fact] = warehouse.query_arrow(
        "select temp_c, humidity_pct, condition_id, rain_mm, observation_source "
        "from weather.fct_weather_actual where city_id = ? and observed_hour = ?",
        [LONDON, hour.replace(tzinfo=None)],
    ).to_pylist()
    assert fact == {
        "temp_c": body["main"]["temp"],
        "humidity_pct": body["main"]["humidity"],
        "condition_id": body["weather"][0]["id"],
        "rain_mm": body.get("rain", {}).get("1h", 0.0),
        "observation_source": "history",
    }


def test_rerunning_an_hour_or_the_range_never_duplicates(
    weather_sandbox, defs, instance, warehouse: Warehouse
):
    assert backfill_window(defs, instance).success
    before = warehouse.query_arrow("select count(*) as n from raw.weather_actual").to_pylist()
    one_hour = f"{WINDOW_START + dt.timedelta(hours=5):%Y-%m-%d-%H:%M}"
    assert run_job(defs, instance, "actual_weather_job", partition_key=one_hour).success
    assert backfill_window(defs, instance).success
    after = warehouse.query_arrow("select count(*) as n from raw.weather_actual").to_pylist()
    assert before == after == [{"n": 20 * HOURS}]
    facts = warehouse.query_arrow("select count(*) as n from weather.fct_weather_actual")
    assert facts.to_pylist() == [{"n": 20 * HOURS}]


def test_the_hour_in_progress_comes_from_current_weather(
    weather_sandbox, defs, instance, warehouse: Warehouse
):
    key = f"{NOW:%Y-%m-%d-%H}:00"  # in progress at NOW; long over by the real clock
    result = run_job(defs, instance, "actual_weather_job", partition_key=key)
    assert result.success, result.all_events
    assert failed_checks(result) == []
    rows = warehouse.query_arrow(
        "select observation_source, count(*) as n, min(observed_hour) as hour "
        "from weather.fct_weather_actual group by 1"
    ).to_pylist()
    assert rows == [
        {
            "observation_source": "current",
            "n": 20,
            "hour": NOW.replace(minute=0, tzinfo=None),
        }
    ]
    assert weather_sandbox.truth["weather"]["by_endpoint"] == {
        "weather": 20,
        "forecast": 0,
        "history": 0,
    }


def test_forecast_job_loads_40_steps_per_city_and_a_same_day_rerun_replaces_them(
    weather_sandbox, defs, instance, warehouse: Warehouse
):
    for _ in range(2):  # both at NOW: the same issue day
        result = run_job(defs, instance, "forecast_weather_job")
        assert result.success
        assert failed_checks(result) == []
    rows = warehouse.query_arrow(
        "select count(*) as n, count(distinct city_id) as cities, count(distinct issued_date) "
        "as days, min(issued_date) as issued, min(lead_hours) as min_lead, "
        "max(lead_hours) as max_lead "
        "from weather.fct_weather_forecast"
    ).to_pylist()
    assert rows[0]["n"] == 20 * 40
    assert (rows[0]["cities"], rows[0]["days"], rows[0]["issued"]) == (20, 1, NOW.date())
    assert 0 <= rows[0]["min_lead"] < 3
    assert 115 <= rows[0]["max_lead"] <= 120


def test_a_city_without_coordinates_is_rejected_with_a_reason_not_dropped(
    weather_sandbox, defs, instance, warehouse: Warehouse
):
    warehouse.execute("update analytics.delivery_cities set latitude = null where city_id = 'dub'")
    result = run_job(defs, instance, "forecast_weather_job")
    assert result.success
    assert failed_checks(result) == ["weather/all_locations:no_rejected_records"]
    rejects = warehouse.query_arrow(
        "select record_key, reason, field, value from raw.rejects where entity = 'delivery_cities'"
    ).to_pylist()
    assert rejects == [
        {"record_key": "dub", "reason": "null_field", "field": "latitude", "value": None}
    ]
    [row] = warehouse.query_arrow(
        "select count(distinct city_id) as n from weather.fct_weather_forecast"
    ).to_pylist()
    assert row["n"] == 19


def test_dbt_tests_of_the_fact_and_dims_run_as_checks(weather_sandbox, defs, instance):
    result = backfill_window(defs, instance)
    names = {e.check_name for e in result.get_asset_check_evaluations()}
    assert {
        "relationships_fct_weather_actual_city_id__city_id__source_locations_all_locations_",
        "relationships_fct_weather_actual_observed_hour__datetime_hour__ref_dim_datetime_",
        "unique_fct_weather_actual_weather_actual_key",
        "unique_dim_datetime_datetime_hour",
        "covers_every_city_and_hour",
    } <= names
