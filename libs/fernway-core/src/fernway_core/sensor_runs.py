"""The runs a sensor asked for and has not yet seen finish (file sensors keep them in their
cursor as `pending` entries, each a dict with the request's `run_key`)."""

from __future__ import annotations

from typing import Any

import dagster as dg

FAILED = frozenset({dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED})
Entry = dict[str, Any]


def settle_runs(
    context: dg.SensorEvaluationContext, pending: list[Entry]
) -> tuple[list[Entry], list[tuple[Entry, dg.DagsterRun]]]:
    """(entries still pending, failed entries with their run): an entry whose run is not
    launched yet or still running stays pending, a succeeded run's entry is done, a failed or
    cancelled run's entry is returned with that run for the sensor to ask again or give up.

    Runs are found by the run key and this sensor's name (the tags the daemon sets).
    """
    still: list[Entry] = []
    failed: list[tuple[Entry, dg.DagsterRun]] = []
    for entry in pending:
        tags = {"dagster/run_key": entry["run_key"], "dagster/sensor_name": context.sensor_name}
        runs = context.instance.get_runs(dg.RunsFilter(tags=tags), limit=1)
        if not runs or not runs[0].is_finished:
            still.append(entry)
        elif runs[0].status in FAILED:
            failed.append((entry, runs[0]))
    return still, failed
