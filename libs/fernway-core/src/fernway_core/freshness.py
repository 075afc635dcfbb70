"""Freshness-lateness alerts in open-source Dagster: a sensor over every FreshnessPolicy."""

from __future__ import annotations

import json

import dagster as dg

from fernway_core.alerts import Alert
from fernway_core.clock import Clock
from fernway_core.sinks import AlertResource


def late_assets(
    context: dg.SensorEvaluationContext, now: float
) -> list[tuple[dg.AssetKey, float | None, float]]:
    """Assets whose last materialization is older than their policy's fail window."""
    late: list[tuple[dg.AssetKey, float | None, float]] = []
    if context.repository_def is None:  # a sensor evaluated outside its code location
        raise dg.DagsterInvariantViolationError("the lateness sensor needs its definitions")
    for node in context.repository_def.asset_graph.asset_nodes:
        policy = node.freshness_policy
        fail_window = getattr(policy, "fail_window", None)
        if fail_window is None:
            continue
        event = context.instance.get_latest_materialization_event(node.key)
        last = event.timestamp if event else None
        allowed = fail_window.to_timedelta().total_seconds()
        if last is None or now - last > allowed:
            late.append((node.key, last, allowed))
    return late


def build_freshness_alert_sensor(
    name: str = "freshness_lateness_alert", minimum_interval_seconds: int = 300
) -> dg.SensorDefinition:
    """A sensor that alerts once per late state of each asset with a time-window policy."""

    @dg.sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Posts an SLA-lateness alert when an asset misses its freshness policy.",
    )
    def _sensor(
        context: dg.SensorEvaluationContext, alerts: AlertResource, clock: Clock
    ) -> dg.SkipReason:
        alerted = json.loads(context.cursor) if context.cursor else {}
        sent = 0
        now = clock.timestamp()
        for key, last, allowed in late_assets(context, now):
            state = str(last)
            if alerted.get(key.to_user_string()) == state:
                continue
            seen = "never" if last is None else f"{(now - last) / 3600:.1f} h ago"
            alerts.send(
                Alert(
                    title=f"Freshness SLA missed: {key.to_user_string()}",
                    text=f"last materialized {seen}; allowed {allowed / 3600:.1f} h",
                    severity="warning",
                    asset_key=key.to_user_string(),
                )
            )
            alerted[key.to_user_string()] = state
            sent += 1
        context.update_cursor(json.dumps(alerted, sort_keys=True))
        return dg.SkipReason(f"{sent} lateness alert(s) sent")

    return _sensor
