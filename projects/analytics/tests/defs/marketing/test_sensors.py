"""The SLA-lateness sensor alerts once per late state, through the pluggable alert sink."""

import json

import dagster as dg

from fernway_core.platform.sensors import evaluate_sensor


def _alerts(platform_env):
    path = platform_env / "alerts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _tick(defs, instance, cursor):
    return evaluate_sensor(defs, instance, "freshness_lateness_alert", cursor).cursor


def test_never_materialized_assets_with_a_policy_alert_once(platform_env, defs, instance):
    cursor = _tick(defs, instance, None)
    titles = sorted(a["title"] for a in _alerts(platform_env))
    assert titles == [
        "Freshness SLA missed: marketing/city_kpis",
        "Freshness SLA missed: marketing/customer_acquisition",
    ]
    _tick(defs, instance, cursor)
    assert len(_alerts(platform_env)) == 2, "the same late state must not alert twice"


def test_fresh_asset_does_not_alert(platform_env, defs, instance):
    for name in ("city_kpis", "customer_acquisition"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=dg.AssetKey(["marketing", name]))
        )
    _tick(defs, instance, None)
    assert _alerts(platform_env) == []
