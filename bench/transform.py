"""Figure 1 (analytics env): dbt build through Dagster in process vs the same SQL in DuckDB.

Usage: projects/analytics/.venv/bin/python bench/transform.py --scale N --out FILE
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg
from common import DAYS, WORK, dagster_home, in_fresh_process, log, versions, write_json
from transform_floor import replay
from transform_load import load_raw
from transform_split import timeline

ROUNDS = 2  # both sides alternate; the best of each is compared (noise on a shared machine)


def prepare(db: Path, work: Path) -> Path:
    """Point the platform at the bench warehouse; parse dbt for it as `make setup` does."""
    from fernway_analytics.defs.transform.assets import DBT_PROJECT_DIR
    from fernway_core.dbt import dbt_env
    from fernway_core.dbt_shared import shared_dbt_dir
    from fernway_core.warehouse import Warehouse

    target = work / "dbt_target"  # dagster-dbt's run dirs and partial-parse state live here
    os.environ.update(
        FERNWAY_WAREHOUSE_URL=f"duckdb://{db}",
        FERNWAY_DATA_DIR=str(work),
        DAGSTER_HOME=str(dagster_home(work / "dagster_home")),
        DBT_TARGET_PATH=str(target),
    )
    dbt = str(Path(sys.executable).with_name("dbt"))
    profiles = shared_dbt_dir(DBT_PROJECT_DIR)
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(profiles)]
    env = {**os.environ, **dbt_env(Warehouse(url=f"duckdb://{db}"))}
    subprocess.run([dbt, "parse", "--quiet", *project], env=env, check=True)
    return target


def materialize(defs: dg.Definitions, target_root: Path) -> dict[str, Any]:
    """Run the dbt assets through the location's implicit asset job: timings and outcome."""
    keys = list(dg.AssetSelection.groups("transform").resolve(defs.resolve_asset_graph()))
    job = defs.resolve_implicit_global_asset_job_def()
    out: dict[str, Any] = {}
    with dg.DagsterInstance.get() as instance:
        started, t0 = time.time(), time.perf_counter()
        result = job.execute_in_process(instance=instance, asset_selection=keys)
        out["seconds"], ended = time.perf_counter() - t0, time.time()
        target = next(target_root.glob(f"*-{result.run_id[:7]}-*"))
        out["time_split"] = timeline(instance, result.run_id, target, started, ended)
    checks = result.get_asset_check_evaluations()
    out["assets_materialized"] = len(result.get_asset_materialization_events())
    out["checks_passed"] = sum(e.passed for e in checks)
    out["checks_total"] = len(checks)
    out["dbt_target"] = str(target)
    return out


def measure(db: Path) -> tuple[list[dict], list[dict]]:
    """Alternate Dagster+dbt (each in a fresh process) and the floor; every sample of each."""
    dagster, floor = [], []
    for i in range(1, ROUNDS + 1):
        log(f"transform: round {i}/{ROUNDS}: dbt build through Dagster (execute_in_process)")
        out = WORK / "transform" / f"dagster_round{i}.json"
        dagster.append(in_fresh_process(__file__, ["--dagster-side"], out))
        log(f"transform: {dagster[-1]['seconds']:.1f}s; dbt's SQL in one DuckDB connection")
        floor.append(replay(db, Path(dagster[-1]["dbt_target"])))
        log(f"transform: floor {floor[-1]['seconds']:.1f}s")
    return dagster, floor


def dagster_side(target_root: Path, out: Path) -> None:
    """Child process: load the code location, run the dbt assets once, write the timings."""
    from fernway_devtools.locations import load_location

    t0 = time.perf_counter()
    defs = load_location("fernway_analytics.definitions")
    result = {"definitions_load_s": time.perf_counter() - t0}
    write_json(out, {**result, **materialize(defs, target_root)})


def main() -> None:
    """Load raw data, time Dagster+dbt, replay the SQL, write the figure's JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dagster-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = WORK / "transform"
    db = work / "transform.duckdb"
    if args.dagster_side:  # env already points at the bench warehouse (set by the parent)
        dagster_side(work / "dbt_target", args.out)
        return
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=DAYS)
    log(f"transform: generating {args.scale:,} orders straight into {db}")
    t0 = time.perf_counter()
    rows = load_raw(db, args.scale, start)
    raw_load_s = time.perf_counter() - t0
    prepare(db, work)
    dagster, floor = measure(db)
    best, best_floor = (min(sides, key=lambda r: r["seconds"]) for sides in (dagster, floor))
    ratio = best["seconds"] / best_floor["seconds"]
    log(f"transform: best of {ROUNDS}: {best['seconds']:.1f}s / {best_floor['seconds']:.1f}s")
    write_json(
        args.out,
        {
            "transform_overhead_ratio": ratio,
            "target": "<= 2.0",
            "orders": args.scale,
            "raw_rows": rows,
            "raw_load_s": raw_load_s,
            "dagster_dbt": best,
            "duckdb_floor": best_floor,
            "dagster_dbt_rounds_s": [r["seconds"] for r in dagster],
            "duckdb_floor_rounds_s": [r["seconds"] for r in floor],
            "versions": versions(),
        },
    )


if __name__ == "__main__":
    main()
