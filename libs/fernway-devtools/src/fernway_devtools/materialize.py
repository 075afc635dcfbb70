"""Materialize every asset of one location in process, recording runs in the instance.

Usage (inside the location's own environment):
    python -m fernway_devtools.materialize fernway_analytics.definitions \
        --start 2026-08-01 --end 2026-11-01 --report data/demo/analytics.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from fernway_devtools.locations import load_location
from fernway_devtools.plan import PlannedRun, in_groups, plan_runs
from fernway_devtools.sensors import evaluate_sensor, run_tags
from fernway_devtools.sqlite_instance import relax_fsync
from fernway_devtools.upstream import (
    UpstreamTimeout,
    cross_location_upstreams,
    team_of,
    upstream_teams,
    wait_for_upstreams,
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
# Lines starting with this go to the demo's screen; everything else only to the location's log.
PROGRESS = "@progress"
NEEDS = "needs from other locations:"  # then the teams, or "nothing"


def summarize(result: dg.ExecuteInProcessResult, label: str, seconds: float) -> dict[str, Any]:
    """What one run did: success, materialized assets, and every check evaluation."""
    materialized = sorted(
        {
            key.to_user_string()
            for e in result.get_asset_materialization_events()
            if (key := e.asset_key) is not None  # always set on a materialization event
        }
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


Progress = Callable[[dict[str, Any]], None]


def run_plan(
    defs: dg.Definitions,
    runs: list[PlannedRun],
    instance: dg.DagsterInstance,
    progress: Progress | None = None,
) -> list[dict]:
    """Execute each planned run; partitioned runs cover their whole window."""
    job = defs.resolve_implicit_global_asset_job_def()
    reports: list[dict] = []
    for planned in runs:
        done = len(reports)
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
        for report in reports[done:]:
            if progress:
                progress(report)
        if not reports[-1]["success"]:
            break
    return reports


def print_progress(total_runs: int, total_assets: int) -> Progress:
    """A progress callback printing `PROGRESS` lines (the demo shows them live)."""
    started = time.perf_counter()
    state = {"runs": 0, "assets": 0}

    def report(run: dict[str, Any]) -> None:
        state["runs"] += 1
        state["assets"] += len(run["materialized"])
        elapsed = time.perf_counter() - started
        left = max(total_assets - state["assets"], 0)
        eta = elapsed / state["assets"] * left if state["assets"] else float("nan")
        status = "ok    " if run["success"] else "FAILED"
        print(
            f"{PROGRESS} {status} run {state['runs']}/{total_runs}  "
            f"assets {state['assets']}/{total_assets}  {run['seconds']:6.1f} s  {run['label']}"
            f"  (ETA {eta:.0f} s)",
            flush=True,
        )

    return report


def location_sections(
    module: str, start: dt.date, end: dt.date, hook_name: str = "summary"
) -> list[dict[str, Any]]:
    """The location's own summary sections (`fernway_<team>.summary.<hook_name>`), if it has one.

    Each section: `{"title": str, "lines": [str], "mismatches": int}`.
    """
    package = module.split(".")[0]
    try:
        hook = getattr(importlib.import_module(f"{package}.summary"), hook_name)
    except ModuleNotFoundError:
        return []
    from fernway_core.settings import get_settings
    from fernway_core.warehouse import Warehouse

    settings = get_settings()
    truth_path = settings.data_dir / "sandbox_truth.json"
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else None
    return hook(Warehouse(url=settings.resolved_warehouse_url), truth, (start, end))


def add_wait_arguments(parser: argparse.ArgumentParser) -> None:
    """`--after`: first wait for what this location reads from other locations (built since)."""
    parser.add_argument(
        "--after",
        type=float,
        help="epoch seconds: wait until every asset read from another location was "
        "materialized after this instant",
    )
    parser.add_argument("--wait-timeout", type=float, default=900.0)


def wait_if_asked(
    args: argparse.Namespace, defs: dg.Definitions, instance: dg.DagsterInstance
) -> float | None:
    """Wait for the cross-location upstreams if `--after` was given: the seconds waited, or None
    if they never came."""
    if args.after is None:
        return 0.0
    team = team_of(args.module)
    needs = ", ".join(upstream_teams(defs, team)) or "nothing"
    print(f"{PROGRESS} {NEEDS} {needs}", flush=True)
    keys = cross_location_upstreams(defs, team)
    try:
        return wait_for_upstreams(
            instance,
            keys,
            args.after,
            args.wait_timeout,
            lambda text: print(f"{PROGRESS} {text}", flush=True),
        )
    except UpstreamTimeout as exc:
        print(f"{PROGRESS} FAILED: {exc}", flush=True)
        return None


def wait_for_file(path: Path, timeout: float) -> float | None:
    """Block until `path` exists (loaded meanwhile, going on costs no start-up): the seconds
    waited, or None on timeout."""
    print(f"{PROGRESS} loaded; goes on once every other location has ended", flush=True)
    started = time.monotonic()
    while not path.exists():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.2)
    return time.monotonic() - started


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and every child it waited for (dbt, Spark's JVM,
    connectors)."""
    usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(usage.ru_utime + usage.ru_stime for usage in usages)


def main(argv: list[str] | None = None) -> int:
    """Materialize a location; write a JSON report; exit 1 if a run or blocking check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument(
        "--only-group", action="append", help="materialize only the assets of this group"
    )
    parser.add_argument("--skip-group", action="append", help="leave this group's assets out")
    parser.add_argument(
        "--summary-hook",
        default="summary",
        help="the function of `fernway_<team>.summary` that writes this report's sections",
    )
    parser.add_argument(
        "--start-file",
        type=Path,
        help="load the definitions, then go on only once this file exists (the demo writes it "
        "when every other location has ended)",
    )
    add_wait_arguments(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    defs = load_location(args.module)
    plan = plan_runs(defs, args.start, args.end, in_groups(defs, args.only_group, args.skip_group))
    total_assets = sum(len(p.keys) for p in plan)
    print(f"{PROGRESS} plan: {len(plan)} runs over {total_assets} assets", flush=True)
    relax_fsync()  # the demo's local SQLite instance: thousands of per-partition events
    held_back: float | None = 0.0
    if args.start_file is not None:
        held_back = wait_for_file(args.start_file, args.wait_timeout)
    if held_back is None:
        print(f"{PROGRESS} FAILED: {args.start_file} not written in {args.wait_timeout:.0f} s")
        return 1
    with dg.DagsterInstance.get() as instance:
        if (waited := wait_if_asked(args, defs, instance)) is None:
            return 1
        # sensor-driven op jobs belong to no asset group: a run of some groups leaves them out
        reports = [] if args.only_group else run_op_job_sensors(defs, instance)
        for report in reports:
            print(f"{PROGRESS} sensor run {report['label']}: {report['seconds']:.1f} s", flush=True)
        if all(r["success"] for r in reports):
            progress = print_progress(len(plan), total_assets)
            reports += run_plan(defs, plan, instance, progress)
    failed = [r for r in reports if not r["success"]]
    sections = (
        [] if failed else location_sections(args.module, args.start, args.end, args.summary_hook)
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    cost = {
        "wall_seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu_seconds(), 1),
        "waited_seconds": round(held_back + waited, 1),
    }
    args.report.write_text(
        json.dumps({"runs": reports, "sections": sections, "cost": cost}, indent=2)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
