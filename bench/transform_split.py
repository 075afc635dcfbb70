"""Where the Dagster + dbt wall time of figure 1 goes, from the run's event log and dbt's log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg


def _epoch(ts: str) -> float:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def dbt_log_marks(target: Path) -> dict[str, float]:
    """Epoch seconds of dbt's first log line, the end of parsing and its last log line."""
    text = (target / "dbt.log").read_text().splitlines()
    lines = [json.loads(line)["info"] for line in text if line.strip()]
    parsed = next(i["ts"] for i in lines if i["code"] == "Q027")  # "Concurrency: N threads"
    return {
        "start": _epoch(lines[0]["ts"]),
        "parsed": _epoch(parsed),
        "end": _epoch(lines[-1]["ts"]),
    }


def sql_seconds(target: Path) -> float:
    """Sum of the `execute` phases dbt reports per node (the SQL, plus dbt's own DDL around it)."""
    total = 0.0
    for node in json.loads((target / "run_results.json").read_text())["results"]:
        for phase in node["timing"]:
            if phase["name"] == "execute":
                total += _epoch(phase["completed_at"]) - _epoch(phase["started_at"])
    return total


def run_marks(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Epoch seconds of the step's start/end and of dagster-dbt's start/finish log lines."""
    marks: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.event_type_value in ("STEP_START", "STEP_SUCCESS"):
            marks[event.event_type_value] = entry.timestamp
        elif entry.user_message.startswith(("Running dbt command", "Finished dbt command")):
            marks[entry.user_message.split()[0]] = entry.timestamp
    return marks


def timeline(
    instance: dg.DagsterInstance, run_id: str, target: Path, started: float, ended: float
) -> dict[str, float]:
    """Consecutive phases of one run (they add up to its wall time), plus dbt's SQL seconds."""
    run, dbt = run_marks(instance, run_id), dbt_log_marks(target)
    edges = [
        ("dagster_run_start_s", started),
        ("dagster_dbt_prepare_s", run["STEP_START"]),  # `dbt --version` + in-process adapter
        ("dbt_process_start_s", run["Running"]),  # interpreter + dbt imports in the subprocess
        ("dbt_parse_s", dbt["start"]),  # profile, project, (partial) parse, manifest
        ("dbt_run_s", dbt["parsed"]),  # every node, of which `sql_s` executing SQL
        ("dbt_exit_s", dbt["end"]),
        ("dagster_events_and_metadata_s", run["Finished"]),  # table metadata, event log writes
        ("dagster_run_end_s", run["STEP_SUCCESS"]),
    ]
    ends = [at for _, at in edges[1:]] + [ended]
    phases = {name: end - at for (name, at), end in zip(edges, ends, strict=True)}
    return {**phases, "sql_s": sql_seconds(target)}
