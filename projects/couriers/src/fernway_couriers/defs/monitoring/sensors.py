"""Alerts on failed runs of this location, through the platform's alert sink (log or Slack)."""

from fernway_core.run_failure import build_run_failure_alert_sensor

run_failure_alert = build_run_failure_alert_sensor()
