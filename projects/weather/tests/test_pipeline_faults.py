"""A 429 storm (and 5xx) on the weather API loses nothing: every city and hour still lands."""

from fernway_core.warehouse import Warehouse
from tests.conftest import HOURS, WINDOW_START, hour_range_tags
from tests.test_pipeline import failed_checks, run_job


def test_a_429_storm_loses_nothing(weather_sandbox, defs, instance, warehouse: Warehouse):
    weather_sandbox.set_faults("weather", rate_limit_rate=0.5, retry_after_s=1, error_rate=0.1)
    tags = hour_range_tags(WINDOW_START, HOURS)
    actual = run_job(defs, instance, "actual_weather_job", tags=tags)
    forecast = run_job(defs, instance, "forecast_weather_job")
    assert actual.success
    assert forecast.success
    assert failed_checks(actual) == failed_checks(forecast) == []
    rows = warehouse.query_arrow(
        "select (select count(*) from weather.fct_weather_actual) as actual, "
        "(select count(*) from weather.fct_weather_forecast) as forecast"
    ).to_pylist()
    assert rows == [{"actual": 20 * HOURS, "forecast": 20 * 40}]
    meta = actual.asset_materializations_for_node("raw__weather_actual")[0].metadata
    statuses = meta["http_status_counts"].value
    assert set(statuses) <= {"200", "429", "500", "502", "503"}, statuses
    assert statuses.get("429", 0) > 0, "half the calls were answered 429"
    # each refusal cost exactly one retry; each 429 (with its Retry-After) paused the quota once
    assert meta["http_retries"].value == sum(n for s, n in statuses.items() if s != "200")
    assert meta["quota_throttled_by_server"].value == statuses["429"]
