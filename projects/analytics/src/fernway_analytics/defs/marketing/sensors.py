"""Automation and SLA alerts for the marketing assets (evaluated by the daemon)."""

import dagster as dg

from fernway_core.freshness import build_freshness_alert_sensor

freshness_lateness_alert = build_freshness_alert_sensor()

marketing_automation = dg.AutomationConditionSensorDefinition(
    "marketing_automation",
    target=dg.AssetSelection.groups("marketing"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Evaluates the marketing assets' automation conditions every 30 seconds.",
)
