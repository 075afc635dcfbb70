"""SLA-lateness alerts for every asset of this location that has a freshness policy."""

from fernway_core.freshness import build_freshness_alert_sensor

freshness_lateness_alert = build_freshness_alert_sensor()
