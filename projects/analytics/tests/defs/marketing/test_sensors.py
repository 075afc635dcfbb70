"""The SLA-lateness sensor alerts once per late state, through the pluggable alert sink.

"Now" is the location's `clock` resource, fixed per tick relative to the last materialization,
so the 26 h fail window is tested to the second without waiting for it.
"""

import json

import dagster as dg
import pytest

from fernway_core.clock import Clock
from fernway_devtools.sensors import evaluate_sensor

HOUR = 3600.0
FAIL_WINDOW = 26 * HOUR  # the marketing SLA's fail window
CITY_KPIS = dg.AssetKey(["marketing", "city_kpis"])


def _alerts(platform_env, asset: dg.AssetKey | None = None):
    path = platform_env / "alerts.jsonl"
    alerts = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [a for a in alerts if asset is None or a["asset_key"] == asset.to_user_string()]


def _tick(defs, instance, cursor, now: float | None = None):
    clock = {"clock": Clock(fixed_at=now)}
    return evaluate_sensor(defs, instance, "freshness_lateness_alert", cursor, clock).cursor


def _materialize(instance, asset: dg.AssetKey) -> float:
    """Report a materialization; returns its timestamp (what the sensor measures age from)."""
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=asset))
    return instance.get_latest_materialization_event(asset).timestamp


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
        _materialize(instance, dg.AssetKey(["marketing", name]))
    _tick(defs, instance, None)
    assert _alerts(platform_env) == []


@pytest.mark.parametrize(
    ("age", "late"),
    [(FAIL_WINDOW - 1, False), (FAIL_WINDOW, False), (FAIL_WINDOW + 1, True)],
    ids=["26h_minus_1s", "26h_exactly", "26h_plus_1s"],
)
def test_an_asset_is_late_only_once_its_age_exceeds_the_26_hour_fail_window(
    platform_env, defs, instance, age, late
):
    last = _materialize(instance, CITY_KPIS)
    _tick(defs, instance, None, now=last + age)
    alerts = _alerts(platform_env, CITY_KPIS)
    assert len(alerts) == (1 if late else 0)
    if late:
        assert alerts[0]["title"] == "Freshness SLA missed: marketing/city_kpis"
        assert alerts[0]["text"] == "last materialized 26.0 h ago; allowed 26.0 h"
        assert alerts[0]["severity"] == "warning"


def test_a_late_asset_alerts_once_then_again_only_after_recovering_and_falling_late_anew(
    platform_env, defs, instance
):
    last = _materialize(instance, CITY_KPIS)
    cursor = _tick(defs, instance, None, now=last + FAIL_WINDOW + 1)
    assert len(_alerts(platform_env, CITY_KPIS)) == 1
    for hours_late in (1, 24, 240):  # the same late state, however long it lasts
        cursor = _tick(defs, instance, cursor, now=last + FAIL_WINDOW + hours_late * HOUR)
    assert len(_alerts(platform_env, CITY_KPIS)) == 1

    last = _materialize(instance, CITY_KPIS)  # recovered
    for age in (HOUR, FAIL_WINDOW):
        cursor = _tick(defs, instance, cursor, now=last + age)
    assert len(_alerts(platform_env, CITY_KPIS)) == 1

    cursor = _tick(defs, instance, cursor, now=last + FAIL_WINDOW + 1)  # late anew
    cursor = _tick(defs, instance, cursor, now=last + FAIL_WINDOW + 2 * HOUR)
    alerts = _alerts(platform_env, CITY_KPIS)
    assert len(alerts) == 2
    assert alerts[1]["text"] == "last materialized 26.0 h ago; allowed 26.0 h"
