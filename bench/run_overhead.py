"""Figure 6: one daily partition as a run worker process ÷ `import dagster` (and its daily chain).

Runs from the driver (root env). Every run is a `dagster asset materialize` process in the
analytics env (`backfill.materialize`), like the run worker the daemon starts for a scheduled
run: it loads the code location and executes the run with the location's configured executor.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
from pathlib import Path
from typing import Any

from backfill import ASSET, counts, materialize, side_env
from backfill_split import medians, run_events, run_phases
from common import (
    ANALYTICS_DIR,
    ANALYTICS_PYTHON,
    WORK,
    dagster_home,
    env_versions,
    import_dagster_s,
    log,
)
from sandbox_proc import RunningSandbox

CHAIN = f"{ASSET}*"  # the partition and every asset downstream of it (the dbt models, marketing)
DBT_LAYERS = {"staging", "intermediate", "analytics"}  # schemas of the dbt models in the chain
SETUP_SKIPS = ("spark",)  # the chain reads nothing of it (its Spark asset is in the chain)


def fill_warehouse(env: dict[str, str], day: str, log_file: Path) -> None:
    """Untimed: every other table the chain reads (snapshots, partner exports, dbt views)."""
    end = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    module = "fernway_analytics.definitions"
    cmd = [
        str(ANALYTICS_PYTHON), "-m", "fernway_devtools.materialize", module,
        "--start", day, "--end", end, "--report", str(log_file.with_suffix(".json")),
        *(arg for group in SETUP_SKIPS for arg in ("--skip-group", group)),
    ]  # fmt: skip
    with log_file.open("w") as out:
        subprocess.run(cmd, cwd=ANALYTICS_DIR, env=env, stdout=out, stderr=out, check=True)


def resolved_executor(env: dict[str, str]) -> str:
    """The executor the location's jobs run on in this environment (the platform's setting)."""
    code = "from fernway_core.settings import get_settings; print(get_settings().resolved_executor)"
    found = subprocess.run(
        [str(ANALYTICS_PYTHON), "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return found.stdout.strip()


def side(
    home: Path, select: str, launches: list[tuple[float, float]], floor: float
) -> dict[str, Any]:
    """One figure's raw numbers from its runs' processes and event log; fails if a run did not."""
    events = run_events(home)
    phases = run_phases(home, launches)
    walls = [wall for _, wall in launches]
    if any(e["status"] != "SUCCESS" for e in events):
        raise RuntimeError(f"run_overhead: a run of {select} did not succeed: {events}")
    step_keys = sorted({k for e in events for k in e["steps_s"]})
    return {
        "seconds": statistics.median(walls),
        "samples_s": walls,
        "ratio_samples": [w / floor for w in walls],
        "phases_s": medians(phases),
        "steps_s": {k: statistics.median(e["steps_s"][k] for e in events) for k in step_keys},
        "materialized": events[-1]["materialized"],
        "check_evaluations": events[-1]["check_evaluations"],
    }


def run(sandbox: RunningSandbox, repeats: int, chain: bool) -> dict[str, dict[str, Any]]:
    """`repeats` rounds of (import dagster, partition run[, chain run]) on a filled warehouse."""
    _, end = sandbox.window
    day = (end - dt.timedelta(days=1)).isoformat()  # yesterday: what the daily schedule runs
    folder = WORK / "run_overhead"
    env = side_env(sandbox, folder)
    for old_log in folder.glob("*.log"):  # the runs append to their logs
        old_log.unlink()
    if chain:  # the partition alone reads nothing else
        log(f"run_overhead: filling the warehouse for {day} (untimed)")
        fill_warehouse(env, day, folder / "fill.log")
    executor = resolved_executor(env)
    selections = {"partition": ASSET, **({"chain": CHAIN} if chain else {})}
    homes = {name: dagster_home(folder / f"{name}_home") for name in selections}
    envs = {name: {**env, "DAGSTER_HOME": str(home)} for name, home in homes.items()}
    launches: dict[str, list[tuple[float, float]]] = {name: [] for name in selections}
    imports: list[float] = []
    import_log = folder / "import.log"
    import_dagster_s(ANALYTICS_PYTHON, env, ANALYTICS_DIR, import_log)  # warm the file cache
    for i in range(1, repeats + 1):
        imports.append(import_dagster_s(ANALYTICS_PYTHON, env, ANALYTICS_DIR, import_log))
        for name, select in selections.items():
            runs_log = folder / f"{name}.log"
            launches[name].append(materialize(envs[name], ["--partition", day], runs_log, select))
        walls = ", ".join(f"{name} {runs[-1][1]:.1f}s" for name, runs in launches.items())
        log(f"run_overhead: round {i}/{repeats}: import dagster {imports[-1]:.2f}s, {walls}")
    truth = sandbox.truth["marketplace"]["orders"]["by_day"][day]["count"]
    rows = counts(folder).get(day, 0)
    if rows != truth:
        raise RuntimeError(f"run_overhead: {rows} rows for {day}, the sandbox served {truth}")
    floor = statistics.median(imports)
    shared = {
        "partition": day,
        "executor": executor,
        "repeats": repeats,
        "rows": rows,
        "rows_verified": "equal to the sandbox truth for the day",
        "import_dagster": {"seconds": floor, "samples_s": imports},
        "versions": env_versions(ANALYTICS_PYTHON),
    }
    sides = {name: side(homes[name], s, launches[name], floor) for name, s in selections.items()}
    out = {
        "run_overhead_ratio": {
            "run_overhead_ratio": sides["partition"]["seconds"] / floor,
            "target": "<= 5",
            "select": ASSET,
            **shared,
            "run": sides["partition"],
        }
    }
    if chain:
        layers = {key.split("/")[0] for key in sides["chain"]["materialized"]}
        if not layers >= DBT_LAYERS:  # the chain must have run the dbt models, not only the raw
            raise RuntimeError(f"run_overhead: the chain run materialized only {layers}")
        out["run_overhead_chain_ratio"] = {
            "run_overhead_chain_ratio": sides["chain"]["seconds"] / floor,
            "target": None,
            "select": CHAIN,
            **shared,
            "run": sides["chain"],
        }
    for name, figure in out.items():
        log(f"{name}: {figure['run']['seconds']:.1f}s / {floor:.2f}s = {figure[name]:.2f}")
    return out
