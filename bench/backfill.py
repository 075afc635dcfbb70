"""Figure 2: 30 daily partitions as 30 CLI runs (one process each) vs ONE single-run backfill.

Runs from the driver (root env); every `dagster asset materialize` uses the analytics env.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb
from backfill_split import medians, run_phases
from common import ANALYTICS_DIR, WORK, dagster_home, log
from sandbox_proc import RunningSandbox

DAGSTER = ANALYTICS_DIR / ".venv" / "bin" / "dagster"
ASSET = "raw/marketplace_orders"
PARTITIONS = 30
Launch = tuple[float, float]


def materialize(
    env: dict[str, str], partition_args: list[str], log_file: Path, select: str = ASSET
) -> Launch:
    """One `dagster asset materialize` process: (launch epoch, wall seconds); fails loudly."""
    cmd = [str(DAGSTER), "asset", "materialize", "-m", "fernway_analytics.definitions"]
    launched, t0 = time.time(), time.perf_counter()
    with log_file.open("a") as out:
        subprocess.run(
            [*cmd, "--select", select, *partition_args],
            cwd=ANALYTICS_DIR, env=env, stdout=out, stderr=out, check=True,
        )  # fmt: skip
    return launched, time.perf_counter() - t0


def side_env(sandbox: RunningSandbox, folder: Path) -> dict[str, str]:
    """Environment of one side: the sandbox, its own warehouse file and Dagster instance."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "warehouse.duckdb").unlink(missing_ok=True)
    return {
        **os.environ,
        **sandbox.env,
        "FERNWAY_WAREHOUSE_URL": f"duckdb://{folder / 'warehouse.duckdb'}",
        "FERNWAY_DATA_DIR": str(folder),
        "DAGSTER_HOME": str(dagster_home(folder / "dagster_home")),
    }


def counts(folder: Path) -> dict[str, int]:
    """Rows per order_date in the side's warehouse."""
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select strftime(order_date, '%Y-%m-%d'), count(*) from raw.marketplace_orders "
            "group by all order by 1"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def run(sandbox: RunningSandbox) -> dict[str, Any]:
    """Both sides, then check both warehouses hold exactly the truth's rows for those days."""
    start, _ = sandbox.window
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(PARTITIONS)]
    multi, single = WORK / "backfill" / "multi_run", WORK / "backfill" / "single_run"
    env = side_env(sandbox, multi)
    runs: list[Launch] = []
    for i, day in enumerate(days, 1):
        runs.append(materialize(env, ["--partition", day], multi / "runs.log"))
        log(f"backfill: run {i}/{PARTITIONS} ({day}) {runs[-1][1]:.1f}s")
    per_run = [wall for _, wall in runs]
    env = side_env(sandbox, single)
    log(f"backfill: one run over {days[0]}...{days[-1]}")
    whole = materialize(env, ["--partition-range", f"{days[0]}...{days[-1]}"], single / "run.log")
    one = whole[1]
    truth = {d: sandbox.truth["marketplace"]["orders"]["by_day"][d]["count"] for d in days}
    got_multi, got_single = counts(multi), counts(single)
    if not got_multi == got_single == truth:
        raise SystemExit(f"backfill: row counts differ: {got_multi} / {got_single} / {truth}")
    log(f"backfill: {sum(per_run):.1f}s as {PARTITIONS} runs vs {one:.1f}s as one run")
    return {
        "backfill_speedup": sum(per_run) / one,
        "target": ">= 10",
        "partitions": [days[0], days[-1]],
        "rows": sum(truth.values()),
        "rows_verified": "identical per day on both sides and equal to the sandbox truth",
        "multi_run": {
            "seconds": sum(per_run),
            "runs": PARTITIONS,
            "per_run_s": per_run,
            "median_phases_s": medians(run_phases(multi / "dagster_home", runs)),
        },
        "single_run": {
            "seconds": one,
            "runs": 1,
            "phases_s": run_phases(single / "dagster_home", [whole])[0],
        },
    }
