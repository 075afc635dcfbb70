"""Where a `dagster asset materialize` process spends its time, from its instance's event log."""

from __future__ import annotations

import statistics
from pathlib import Path

import dagster as dg

PHASES = (
    "process_start_and_definitions_s",  # interpreter, imports, load the code location
    "run_setup_s",  # run record -> run start event
    "step_process_launch_s",  # run start -> first step (multiprocess: a child reloads the code)
    "asset_step_s",  # the asset itself: fetch, validate, write, reconcile
    "checks_and_teardown_s",  # later steps (the rejects check, a chain's models), run end, exit
)


def run_phases(home: Path, processes: list[tuple[float, float]]) -> list[dict[str, float]]:
    """Phases of each run, matched in order to the (launch epoch, wall seconds) of its process."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = sorted(instance.get_run_records(), key=lambda r: r.create_timestamp)
        out = []
        for record, (launched, wall) in zip(records, processes, strict=True):
            marks: dict[str, float] = {}
            for entry in instance.all_logs(record.dagster_run.run_id):
                event = entry.dagster_event
                if event is None or (event.step_key or "").endswith("no_rejected_records"):
                    continue
                marks.setdefault(event.event_type_value, entry.timestamp)
            edges = [
                launched,
                record.create_timestamp.timestamp(),
                marks["PIPELINE_START"],
                marks["STEP_START"],
                marks["STEP_SUCCESS"],
                launched + wall,
            ]
            out.append({k: b - a for k, a, b in zip(PHASES, edges, edges[1:], strict=False)})
    return out


def medians(phases: list[dict[str, float]]) -> dict[str, float]:
    """Median of each phase over several runs."""
    return {k: statistics.median(p[k] for p in phases) for k in PHASES}


def run_events(home: Path) -> list[dict[str, object]]:
    """Per run (oldest first): seconds of each step, materialized keys, check evaluations."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = sorted(instance.get_run_records(), key=lambda r: r.create_timestamp)
        out = []
        for record in records:
            started: dict[str, float] = {}
            steps: dict[str, float] = {}
            materialized: set[str] = set()
            checks = 0
            for entry in instance.all_logs(record.dagster_run.run_id):
                event = entry.dagster_event
                if event is None:
                    continue
                if event.event_type_value == "STEP_START" and event.step_key:
                    started[event.step_key] = entry.timestamp
                elif event.event_type_value == "STEP_SUCCESS" and event.step_key in started:
                    steps[event.step_key] = entry.timestamp - started[event.step_key]
                elif event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key:
                    materialized.add(event.asset_key.to_user_string())
                elif event.event_type_value == "ASSET_CHECK_EVALUATION":
                    checks += 1
            out.append(
                {
                    "status": record.dagster_run.status.value,
                    "steps_s": steps,
                    "materialized": sorted(materialized),
                    "check_evaluations": checks,
                }
            )
    return out
