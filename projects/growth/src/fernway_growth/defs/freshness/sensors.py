"""The sensor that evaluates the freshness automation, and the lateness alert behind it."""

import dagster as dg

from fernway_core.freshness import build_freshness_alert_sensor

# Posts the platform's SLA-lateness alert when a target misses its fail window anyway.
freshness_lateness_alert = build_freshness_alert_sensor(minimum_interval_seconds=30)

# Custom Python conditions are evaluated in this code location's process (user code server).
growth_freshness_automation = dg.AutomationConditionSensorDefinition(
    "growth_freshness_automation",
    target=dg.AssetSelection.all(),
    use_user_code_server=True,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Refreshes the freshness targets' upstream chains before their windows fail.",
)
