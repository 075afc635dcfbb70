"""The whole weather location against a Postgres warehouse, selected by configuration alone."""

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from tests.conftest import HOURS, WINDOW_START, hour_range_tags, publish_delivery_cities
from tests.test_pipeline import failed_checks, run_job


def test_raw_loads_dbt_and_checks_run_on_postgres(
    weather_sandbox, scratch_database, monkeypatch, instance
):
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", scratch_database)
    get_settings.cache_clear()
    warehouse = Warehouse(url=scratch_database)
    assert warehouse.dialect == "postgres"
    publish_delivery_cities(weather_sandbox, warehouse)
    from fernway_devtools.locations import load_location

    defs = load_location("fernway_weather.definitions")
    tags = hour_range_tags(WINDOW_START, HOURS)
    for _ in range(2):  # the rerun (same clock: same issue day) must not duplicate
        actual = run_job(defs, instance, "actual_weather_job", tags=tags)
        forecast = run_job(defs, instance, "forecast_weather_job")
        assert actual.success
        assert forecast.success
        assert failed_checks(actual) == failed_checks(forecast) == []
    rows = warehouse.query_arrow(
        "select (select count(*) from weather.fct_weather_actual) as actual, "
        "(select count(distinct city_id) from weather.fct_weather_actual) as cities, "
        "(select count(*) from weather.fct_weather_forecast) as forecast, "
        "(select count(*) from weather.dim_weather_condition) as conditions"
    ).to_pylist()
    assert rows == [{"actual": 20 * HOURS, "cities": 20, "forecast": 20 * 40, "conditions": 55}]
    checks = {e.check_name for e in actual.get_asset_check_evaluations()}
    assert "unique_fct_weather_actual_weather_actual_key" in checks
