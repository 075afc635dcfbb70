"""The location loads, and declares what the platform promises about every asset."""

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.settings import SettingsError, get_settings
from fernway_devtools.locations import load_location


def test_definitions_load_and_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "analytics/delivery_cities",
        "weather/all_locations",
        "raw/weather_actual",
        "raw/weather_forecast",
        "weather/dim_datetime",
        "weather/dim_weather_condition",
        "weather/fct_weather_actual",
        "weather/fct_weather_forecast",
    } <= keys


def test_delivery_cities_come_from_the_analytics_location(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    cities = graph.get(dg.AssetKey(["analytics", "delivery_cities"]))
    assert cities.is_external
    assert not cities.is_executable
    locations = graph.get(dg.AssetKey(["weather", "all_locations"]))
    assert cities.key in locations.parent_keys


def test_every_asset_has_owner_kinds_group_and_description(defs: dg.Definitions) -> None:
    for node in defs.resolve_asset_graph().asset_nodes:
        if node.is_external:
            continue
        name = node.key.to_user_string()
        assert node.owners == ["team:weather"], name
        assert node.description, f"{name} has no description"
        assert node.group_name != "default", f"{name} is in the default group"
        assert any(t.startswith("dagster/kind/") for t in node.tags), f"{name} has no kinds"


def test_translator_groups_dbt_assets_by_folder(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {
        "weather_staging/stg_openweathermap__observations": "weather_staging",
        "weather/fct_weather_actual": "weather_marts",
        "weather/dim_datetime": "weather_marts",
        "weather/weather_conditions": "weather_reference",
    }
    for key, group in groups.items():
        assert graph.get(dg.AssetKey.from_user_string(key)).group_name == group


def test_jobs_hold_the_reference_assets(defs: dg.Definitions) -> None:
    def keys(name: str) -> set[str]:
        job = defs.resolve_job_def(name)
        return {k.to_user_string() for k in job.asset_layer.executable_asset_keys}

    shared = {"weather/all_locations", "weather/dim_datetime", "weather/dim_weather_condition"}
    assert shared | {"raw/weather_actual", "weather/fct_weather_actual"} <= keys(
        "actual_weather_job"
    )
    assert shared | {"raw/weather_forecast", "weather/fct_weather_forecast"} <= keys(
        "forecast_weather_job"
    )
    assert "weather/fct_weather_forecast" not in keys("actual_weather_job")
    # hourly from 2026-01-01 UTC, the hour in progress included
    assert defs.resolve_job_def("actual_weather_job").partitions_def == (
        dg.HourlyPartitionsDefinition(start_date="2026-01-01-00:00", end_offset=1)
    )


def test_api_assets_retry_with_backoff_and_failures_alert(defs: dg.Definitions) -> None:
    for key in (["raw", "weather_actual"], ["raw", "weather_forecast"]):
        assert defs.resolve_assets_def(dg.AssetKey(key)).node_def.retry_policy == dg.RetryPolicy(
            max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
        )
    sensor = defs.resolve_sensor_def("run_failure_alert")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_assets_in_a_postgres_warehouse_have_the_postgres_kind_instead_of_duckdb(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def kinds() -> dict[dg.AssetKey, set[str]]:
        graph = load_location("fernway_weather.definitions").resolve_asset_graph()
        return {node.key: set(node.kinds) for node in graph.asset_nodes}

    local = kinds()
    stored = {key for key, declared in local.items() if "duckdb" in declared}
    assert stored
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "postgresql://fernway@db.invalid/warehouse")
    get_settings.cache_clear()  # loading does not connect: the host need not exist
    assert kinds() == {
        key: declared - {"duckdb"} | {"postgres"} if key in stored else declared
        for key, declared in local.items()
    }


def test_a_bad_setting_stops_the_load_with_one_line(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings()  # cached by an earlier load in this process: the load must read afresh
    monkeypatch.setenv("FERNWAY_WEATHER_CALLS_PER_MINUTE", "abc")
    with pytest.raises(SettingsError) as info:
        load_location("fernway_weather.definitions")
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_WEATHER_CALLS_PER_MINUTE: got 'abc', "
        "use a whole number >= 1"
    )
