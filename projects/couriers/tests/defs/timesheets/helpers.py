"""Ticks of the timesheet sensor and runs of what it asks for, as the daemon does them."""

from __future__ import annotations

from typing import Any

import dagster as dg

from fernway_devtools.sensors import evaluate_sensor, run_tags

SENSOR = "timesheet_files_sensor"
JOB = "timesheet_files_job"
OP = "timesheets__entries"


def tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None) -> Any:
    """One evaluation of the sensor: its run requests and cursor."""
    return evaluate_sensor(defs, instance, SENSOR, cursor)


def requested(data: Any) -> list[str]:
    """The files a tick asked to load, in request order."""
    return [
        key
        for request in data.run_requests or []
        for key in request.run_config["ops"][OP]["config"]["files"]
    ]


def run_request(
    defs: dg.Definitions, instance: dg.DagsterInstance, request: dg.RunRequest
) -> dg.ExecuteInProcessResult:
    """Run what the sensor asked for, tagged as the daemon tags it."""
    return defs.resolve_job_def(JOB).execute_in_process(
        run_config=request.run_config,
        instance=instance,
        tags=run_tags(SENSOR, request),
        raise_on_error=False,
    )


def run_files(
    defs: dg.Definitions, instance: dg.DagsterInstance, files: list[str] | None = None
) -> dg.ExecuteInProcessResult:
    """Run the job by hand: these files, or (None) every file the ledger lacks."""
    config = {"files": files} if files is not None else {}
    return defs.resolve_job_def(JOB).execute_in_process(
        run_config={"ops": {OP: {"config": config}}},
        instance=instance,
        raise_on_error=False,
    )


def materialization(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    """The metadata of the run's one materialization of timesheets/entries."""
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def check_passed(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """Each check evaluated in the run and whether it passed."""
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
