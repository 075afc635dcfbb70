"""A run-failure sensor that sends one alert per failed run through `AlertResource`."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from fernway_core.alerts import Alert
from fernway_core.sinks import AlertResource

PARTITION_TAG = "dagster/partition"


def _error_line(event: dg.DagsterEvent) -> str:
    """The first line of a failed step's underlying error ("Type: message")."""
    error = getattr(event.event_specific_data, "error", None)
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    lines = error.message.strip().splitlines()
    return lines[0] if lines else error.cls_name or ""


def failure_alert(context: dg.RunFailureSensorContext) -> Alert:
    """The alert for a failed run: job, run id, failed step keys and the first step error."""
    run = context.dagster_run
    failures = context.get_step_failure_events()
    steps = sorted({event.step_key for event in failures if event.step_key})
    fields: dict[str, object] = {"job": run.job_name, "failed_steps": steps}
    if run.tags.get(PARTITION_TAG):
        fields["partition"] = run.tags[PARTITION_TAG]
    errors = [line for line in map(_error_line, failures) if line]
    if errors:
        fields["error"] = errors[0]
    where = f"steps {', '.join(steps)} failed" if steps else "the run failed outside any step"
    return Alert(
        title=f"Run failed: {run.job_name}",
        text=f"Run {run.run_id} of {run.job_name}: {where}.",
        severity="error",
        run_id=run.run_id,
        fields=fields,
    )


def build_run_failure_alert_sensor(
    name: str = "run_failure_alert",
    *,
    monitored_jobs: Sequence[dg.JobDefinition] | None = None,
    monitor_all_code_locations: bool = False,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds: int = 30,
) -> dg.SensorDefinition:
    """A `run_failure_sensor` sending one alert per failed run via the `alerts` resource.

    Monitors the jobs of its own code location unless `monitored_jobs` or
    `monitor_all_code_locations` say otherwise; the sink (log, slack) is the resource's.
    """

    @dg.run_failure_sensor(
        name=name,
        monitored_jobs=monitored_jobs,
        monitor_all_code_locations=monitor_all_code_locations,
        default_status=default_status,
        minimum_interval_seconds=minimum_interval_seconds,
        description="Sends one alert (job, run id, failed steps) for every failed run.",
    )
    def run_failure_alert(context: dg.RunFailureSensorContext, alerts: AlertResource) -> None:
        alerts.send(failure_alert(context))

    return run_failure_alert
