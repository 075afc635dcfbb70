"""The location loads, and declares what the platform promises about every asset."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.settings import SettingsError, get_settings
from fernway_devtools.locations import load_location


def test_definitions_load_and_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/marketplace_orders",
        "raw/partner_orders",
        "analytics/orders",
        "analytics/daily_order_summary",
        "analytics/delivery_cities",
        "analytics/big_orders",
        "marketing/city_kpis",
    } <= keys


def test_every_asset_has_owner_kinds_group_and_description(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for node in graph.asset_nodes:
        if node.is_external:
            continue
        name = node.key.to_user_string()
        assert node.owners, f"{name} has no owner"
        assert node.description, f"{name} has no description"
        assert node.group_name != "default", f"{name} is in the default group"
        assert any(t.startswith("dagster/kind/") for t in node.tags), f"{name} has no kinds"


def test_marketing_assets_are_automated_with_a_freshness_policy(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in (
        dg.AssetKey(["marketing", "city_kpis"]),
        dg.AssetKey(["marketing", "customer_acquisition"]),
    ):
        node = graph.get(key)
        assert node.automation_condition == dg.AutomationCondition.eager()
        assert node.freshness_policy == dg.FreshnessPolicy.time_window(
            fail_window=dt.timedelta(hours=26), warn_window=dt.timedelta(hours=24)
        )


def test_api_assets_retry_with_exponential_backoff_and_jitter(defs: dg.Definitions) -> None:
    assets = defs.resolve_assets_def(dg.AssetKey(["raw", "marketplace_orders"]))
    assert assets.node_def.retry_policy == dg.RetryPolicy(
        max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    )


def test_failed_runs_and_late_assets_are_alerted_by_running_sensors(defs: dg.Definitions) -> None:
    for name in ("run_failure_alert", "freshness_lateness_alert", "partner_exports_sensor"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING


def test_assets_in_a_postgres_warehouse_have_the_postgres_kind_instead_of_duckdb(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def kinds() -> dict[dg.AssetKey, set[str]]:
        graph = load_location("fernway_analytics.definitions").resolve_asset_graph()
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
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "mysql://u@h/db")
    with pytest.raises(SettingsError) as info:
        load_location("fernway_analytics.definitions")
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_WAREHOUSE_URL: got 'mysql://u@h/db', "
        "use duckdb:///<abs path> or postgresql://<user>@<host>/<db>"
    )
