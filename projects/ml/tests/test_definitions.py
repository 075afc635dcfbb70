"""The location loads, and declares what the platform promises about every asset."""

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.settings import SettingsError, get_settings
from fernway_devtools.locations import load_location

ML_KEYS = {
    "ml/demand_forecast",
    "ml/forecast_accuracy",
    "ml/model_stats",
    "ml/customer_segments",
    "ml/segment_profiles",
    "ml/demand_report",
}
UPSTREAM_KEYS = {
    "analytics/daily_order_summary",
    "analytics/customers",
    "analytics/orders",
    "weather/fct_weather_actual",
}


def test_definitions_load_and_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == ML_KEYS | UPSTREAM_KEYS


def test_other_locations_assets_are_external_specs_upstream_of_ml(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in UPSTREAM_KEYS:
        assert graph.get(dg.AssetKey.from_user_string(key)).is_external, key
    forecast_parents = graph.get(dg.AssetKey(["ml", "demand_forecast"])).parent_keys
    assert {k.to_user_string() for k in forecast_parents} == {
        "analytics/daily_order_summary",
        "weather/fct_weather_actual",
    }


def test_every_asset_has_owner_kinds_group_and_description(defs: dg.Definitions) -> None:
    for node in defs.resolve_asset_graph().asset_nodes:
        if node.is_external:
            continue
        name = node.key.to_user_string()
        assert node.owners == ["team:ml"], name
        assert node.description, name
        assert "\n" not in node.description, name
        assert node.group_name in {"demand", "backtests", "segmentation", "reports"}, name
        assert any(t.startswith("dagster/kind/") for t in node.tags), name


def test_model_stats_is_weekly_and_backfills_in_one_run(defs: dg.Definitions) -> None:
    node = defs.resolve_asset_graph().get(dg.AssetKey(["ml", "model_stats"]))
    assert isinstance(node.partitions_def, dg.WeeklyPartitionsDefinition)
    assert node.backfill_policy == dg.BackfillPolicy.single_run()


def test_sensor_and_schedule_are_on_by_default(defs: dg.Definitions) -> None:
    sensor = defs.resolve_sensor_def("analytics_marts_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "ml_refresh_job"
    schedule = defs.resolve_schedule_def("ml_weekly_backtest_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "ml_backtest_job"


def test_assets_in_a_postgres_warehouse_have_the_postgres_kind_instead_of_duckdb(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def kinds() -> dict[dg.AssetKey, set[str]]:
        graph = load_location("fernway_ml.definitions").resolve_asset_graph()
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
    monkeypatch.setenv("FERNWAY_ENV", "production")
    with pytest.raises(SettingsError) as info:
        load_location("fernway_ml.definitions")
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_ENV: got 'production', use local, branch or prod"
    )
