"""A missed freshness target raises the platform's lateness alert (fernway_core.freshness)."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from fernway_core.alerts import read_alerts
from fernway_core.clock import Clock
from fernway_core.sinks import AlertResource
from fernway_devtools.locations import load_location
from tests.defs.freshness.simulation import SimulatedClock

T0 = dt.datetime(2026, 8, 8, 12, 0, tzinfo=dt.UTC)
TARGETS = ("growth/cumulative_stars", "growth/release_stars")


def evaluate_alerts(defs, instance, alerts: AlertResource, at: float, cursor: str | None) -> str:
    sensor = next(s for s in defs.sensors or [] if s.name == "freshness_lateness_alert")
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        repository_def=defs.get_repository_def(),
        resources={"alerts": alerts, "clock": Clock(fixed_at=at)},
    )
    sensor(context)
    return context.cursor or ""


def test_the_five_minute_target_alerts_once_when_missed_and_the_ten_minute_one_later(
    platform_env, instance
):
    defs = load_location("fernway_growth.definitions")
    alerts = AlertResource(data_dir=str(platform_env))
    with SimulatedClock(T0).installed() as clock:
        for key in TARGETS:
            instance.report_runless_asset_event(
                dg.AssetMaterialization(dg.AssetKey.from_user_string(key))
            )
        start = clock.timestamp()
        cursor = evaluate_alerts(defs, instance, alerts, start + 290, None)
        assert read_alerts(alerts.alerts_path) == []
        cursor = evaluate_alerts(defs, instance, alerts, start + 310, cursor)
        cursor = evaluate_alerts(defs, instance, alerts, start + 400, cursor)  # once per state
        sent = read_alerts(alerts.alerts_path)
        assert [a["asset_key"] for a in sent] == ["growth/cumulative_stars"]
        assert sent[0]["title"] == "Freshness SLA missed: growth/cumulative_stars"
        evaluate_alerts(defs, instance, alerts, start + 610, cursor)
        assert [a["asset_key"] for a in read_alerts(alerts.alerts_path)] == [
            "growth/cumulative_stars",
            "growth/release_stars",
        ]
