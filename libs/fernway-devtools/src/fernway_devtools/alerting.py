"""Run-failure sensors evaluated on a failed in-process run, the way the daemon would."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import dagster as dg

from fernway_devtools.locations import load_location
from fernway_devtools.materialize import add_wait_arguments, wait_if_asked

FAILURE = dg.DagsterRunStatus.FAILURE


def notify_run_failure(
    defs: dg.Definitions, instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult
) -> list[str]:
    """Evaluate every run-failure sensor of `defs` on `result`'s failure; their names."""
    event = result.get_run_failure_event()
    names = []
    for sensor in defs.sensors or []:
        # Dagster 1.13 has no public accessor for the status a run-status sensor watches.
        watches = getattr(sensor, "_run_status", None)
        if isinstance(sensor, dg.RunStatusSensorDefinition) and watches == FAILURE:
            context = dg.build_run_status_sensor_context(
                sensor_name=sensor.name,
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                dagster_event=event,
                resources=defs.resources,
            )
            sensor(context)
            names.append(sensor.name)
    return names


def main(argv: list[str] | None = None) -> int:
    """Alert drill: run a job that is expected to fail, then let the run-failure sensors alert."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("module")
    parser.add_argument("--job", required=True)
    parser.add_argument("--report", type=Path, required=True)
    add_wait_arguments(parser)
    args = parser.parse_args(argv)
    defs = load_location(args.module)
    with dg.DagsterInstance.get() as instance:
        if wait_if_asked(args, defs, instance) is None:  # upstream never came
            return 1
        job = defs.resolve_job_def(args.job)
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags={"fernway/drill": "alert"}
        )
        failed_steps = sorted(
            {e.step_key for e in result.all_events if e.is_step_failure and e.step_key}
        )
        sensors = notify_run_failure(defs, instance, result) if not result.success else []
    report = {
        "job": args.job,
        "run_id": result.run_id,
        "failed": not result.success,
        "failed_steps": failed_steps,
        "sensors": sensors,
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2))
    return 0 if report["failed"] and sensors else 1


if __name__ == "__main__":
    sys.exit(main())
