"""Materialize every asset of one location in process, recording runs in the instance.

Usage (inside the location's own environment):
    python -m fernway_core.platform.materialize fernway_analytics.definitions \
        --start 2026-08-01 --end 2026-11-01 --report data/demo/analytics.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg

from fernway_core.platform.locations import load_location
from fernway_core.platform.plan import PlannedRun, plan_runs
from fernway_core.platform.sensors import evaluate_sensor, run_tags

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def summarize(result: dg.ExecuteInProcessResult, label: str, seconds: float) -> dict[str, Any]:
    """What one run did: success, materialized assets, and every check evaluation."""
    materialized = sorted(
        {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    )
    checks = [
        {
            "asset": e.asset_key.to_user_string(),
            "check": e.check_name,
            "passed": e.passed,
            "severity": e.severity.value,
            "blocking": bool(e.blocking),
        }
        for e in result.get_asset_check_evaluations()
    ]
    return {
        "label": label,
        "run_id": result.run_id,
        "success": result.success,
        "seconds": round(seconds, 2),
        "materialized": materialized,
        "checks": checks,
    }


def _execute(job: dg.JobDefinition, label: str, **kwargs: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = job.execute_in_process(raise_on_error=False, **kwargs)
    return summarize(result, label, time.perf_counter() - started)


def run_op_job_sensors(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[dict]:
    """Evaluate each sensor that drives an op job, and run what it asks for, until idle."""
    reports = []
    for sensor in defs.sensors or []:
        job = getattr(sensor, "job", None) if sensor.has_jobs else None
        if job is None:
            continue
        # asset jobs (define_asset_job) have no asset layer until resolved against the defs
        job_def = defs.resolve_job_def(job.name)
        if job_def.asset_layer.executable_asset_keys:
            continue
        cursor = None
        while True:
            data = evaluate_sensor(defs, instance, sensor.name, cursor)
            for request in data.run_requests or []:
                reports.append(
                    _execute(
                        job_def,
                        f"{sensor.name} -> {job.name}",
                        instance=instance,
                        run_config=request.run_config,
                        tags=run_tags(sensor.name, request),
                    )
                )
            if not data.run_requests or data.cursor == cursor:
                break
            cursor = data.cursor
    return reports


def run_plan(
    defs: dg.Definitions, runs: list[PlannedRun], instance: dg.DagsterInstance
) -> list[dict]:
    """Execute each planned run; partitioned runs cover their whole window."""
    job = defs.resolve_implicit_global_asset_job_def()
    reports = []
    for planned in runs:
        label = ", ".join(k.to_user_string() for k in planned.keys[:3])
        label += f" (+{len(planned.keys) - 3})" if len(planned.keys) > 3 else ""
        if not planned.partition_keys:
            reports.append(_execute(job, label, instance=instance, asset_selection=planned.keys))
        elif planned.single_run:
            tags = {RANGE_START: planned.partition_keys[0], RANGE_END: planned.partition_keys[-1]}
            reports.append(
                _execute(job, label, instance=instance, asset_selection=planned.keys, tags=tags)
            )
        else:
            for key in planned.partition_keys:
                reports.append(
                    _execute(
                        job,
                        f"{label} [{key}]",
                        instance=instance,
                        asset_selection=planned.keys,
                        partition_key=key,
                    )
                )
        if not reports[-1]["success"]:
            break
    return reports


def main(argv: list[str] | None = None) -> int:
    """Materialize a location; write a JSON report; exit 1 if a run or blocking check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)
    defs = load_location(args.module)
    with dg.DagsterInstance.get() as instance:
        reports = run_op_job_sensors(defs, instance)
        if all(r["success"] for r in reports):
            reports += run_plan(defs, plan_runs(defs, args.start, args.end), instance)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(reports, indent=2))
    failed = [r for r in reports if not r["success"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
