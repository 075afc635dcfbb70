"""`quality_alert_sensor`: each alert file dropped in the inbox starts one remediation run.

Alert files (schema in `alerts.py`) land in `<data_dir>/quality_alerts/`. On each tick, every
settled file is read:

- valid: a `data_quality_remediation_job` run is requested for the named mart and all its checks,
  run key `quality-alert-<sha256 of the file>`, and the file moves to `processed/`;
- refused (bad JSON, missing or unknown field, unknown asset, wrong type, too large, the same
  alert again): the file moves to `rejected/` with `<file>.reason` beside it (a reason code on
  the first line, then the detail);
- unreadable for a passing reason (gone, permissions): it stays and the next tick tries again.

A file never crashes the sensor. The cursor remembers the run keys it requested (the newest
`REMEMBERED`), so a copy of a handled alert is refused as `duplicate` rather than silently
deduplicated by the daemon.
"""

import json

import dagster as dg

from fernway_couriers.defs.quality.alerts import Alert, Refusal, RefusedAlert, parse_alert
from fernway_couriers.defs.quality.jobs import data_quality_remediation_job
from fernway_couriers.defs.quality.resources import QualityAlertInbox

REMEMBERED = 1000


def remediation_request(alert: Alert, file_name: str) -> dg.RunRequest:
    """The run for one alert: its mart with every check on it, tagged with the alert.

    No `asset_check_keys`: the run then holds all of the mart's checks, the GX checkpoint and
    the dbt tests alike (naming only the GX check would drop the dbt tests from `dbt build`).
    """
    return dg.RunRequest(
        run_key=alert.run_key,
        asset_selection=[alert.asset],
        tags={
            "fernway/quality_alert": file_name,
            "fernway/alert_asset": alert.asset.to_user_string(),
            "fernway/alert_raised_at": alert.raised_at.isoformat(),
            "fernway/alert_reason": alert.reason[:200],
        },
    )


@dg.sensor(
    job=data_quality_remediation_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alert files in <data_dir>/quality_alerts/ start remediation runs, each once.",
)
def quality_alert_sensor(
    context: dg.SensorEvaluationContext, quality_alerts: QualityAlertInbox
) -> dg.SensorResult:
    """Request a remediation run per new alert file; set malformed files aside with a reason."""
    handled: list[str] = json.loads(context.cursor)["run_keys"] if context.cursor else []
    requests: list[dg.RunRequest] = []
    refused = 0
    for file in quality_alerts.pending():
        try:
            try:
                alert = parse_alert(file.name, file.read_bytes())
                if alert.run_key in handled:
                    raise RefusedAlert(Refusal.DUPLICATE, f"already requested as {alert.run_key}")
            except RefusedAlert as bad:
                quality_alerts.reject(file, f"{bad.code}\n{bad.detail}")
                context.log.warning(f"quality alert {file.name} rejected: {bad}")
                refused += 1
                continue
            requests.append(remediation_request(alert, file.name))
            handled.append(alert.run_key)
            quality_alerts.accept(file)
        except OSError as exc:  # vanished or unreadable now: the next tick tries again
            context.log.warning(f"quality alert {file.name} left for the next tick: {exc}")
    cursor = json.dumps({"run_keys": handled[-REMEMBERED:]})
    if not requests:
        return dg.SensorResult(
            skip_reason=f"no new alerts ({refused} rejected)" if refused else "no new alerts",
            cursor=cursor,
        )
    return dg.SensorResult(run_requests=requests, cursor=cursor)
