"""`make bench`: measure every figure in one invocation and write bench/results.json.

Runs with the root env. Pieces that import the analytics location run with its interpreter;
the sandbox runs in its own process so its servers never share a GIL with measured code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import backfill
import definitions_load
import run_overhead
from common import (
    ANALYTICS_PYTHON,
    DAYS,
    GROWTH_PYTHON,
    ROOT,
    WEATHER_PYTHON,
    WORK,
    log,
    versions,
    write_json,
)
from sandbox_proc import running_sandbox

TARGETS = {
    "transform_overhead_ratio": lambda v: v <= 2.0,
    "backfill_speedup": lambda v: v >= 10,
    "api_ingest_efficiency": lambda v: v >= 0.7,
    "weather_fetch_efficiency": lambda v: v >= 0.9,
    "github_ingest_efficiency": lambda v: v >= 0.7,
    "run_overhead_ratio": lambda v: v <= 5,
    "definitions_load_ratio": lambda v: v <= 2.0,
}
FIGURES = [*TARGETS, "bulk_ingest_rows_per_s", "run_overhead_chain_ratio"]
SANDBOX_FIGURES = {
    "backfill_speedup",
    "api_ingest_efficiency",
    "bulk_ingest_rows_per_s",
    "run_overhead_ratio",
    "run_overhead_chain_ratio",
}
WEATHER_SANDBOX_SCALE = 1000  # the weather figure needs the cities and the weather API only
GITHUB_STARS = 200_000  # github_ingest_efficiency's size (its own GitHub-only sandbox)


def run_piece(
    script: str,
    args: list[str],
    env: dict[str, str] | None = None,
    python: Path = ANALYTICS_PYTHON,
) -> dict[str, Any]:
    """Run bench/<script> with a location's interpreter; echo progress; return its JSON."""
    out = WORK / "pieces" / script.replace(".py", ".json")
    out.unlink(missing_ok=True)
    log_path = WORK / "logs" / script.replace(".py", ".log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(ROOT / "bench" / script), *args, "--out", str(out)]
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log_file.write(line)
            if line.startswith("[bench"):
                print(line, end="", flush=True)
    if proc.wait() != 0:
        raise RuntimeError(f"{script} failed (exit {proc.returncode}); see {log_path}")
    return json.loads(out.read_text())


def as_figure(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One results entry: the figure's value first, then its raw numbers."""
    return {"value": data.pop(name), **data}


def machine() -> dict[str, Any]:
    """Cores, CPU, memory and interpreter/library versions of the root env."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "root_env": versions(),
    }


def measure(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Every selected figure; a failing figure records its error and the others still run."""

    def attempt(name: str, func: Any) -> None:
        if name not in args.only:
            return
        try:
            results[name] = func()
        except Exception as exc:  # keep measuring the other figures
            log(f"{name}: FAILED: {exc}")
            results[name] = {"error": str(exc)}

    if SANDBOX_FIGURES & set(args.only):
        with running_sandbox(args.scale, WORK / "sandbox") as sandbox:
            env = {**os.environ, **sandbox.env}
            start, end = (d.isoformat() for d in sandbox.window)
            attempt(
                "backfill_speedup", lambda: as_figure("backfill_speedup", backfill.run(sandbox))
            )
            attempt(
                "api_ingest_efficiency",
                lambda: as_figure(
                    "api_ingest_efficiency",
                    run_piece("api_ingest.py", ["--start", start, "--end", end], env),
                ),
            )
            attempt(
                "bulk_ingest_rows_per_s",
                lambda: as_figure("bulk_ingest_rows_per_s", run_piece("bulk_ingest.py", [], env)),
            )
            overhead: dict[str, Any] = {}  # both run-overhead figures come from one piece

            def run_overhead_figure(name: str) -> dict[str, Any]:
                if not overhead:
                    chain = "run_overhead_chain_ratio" in args.only
                    try:
                        overhead.update(run_overhead.run(sandbox, args.repeats, chain))
                    except Exception as exc:  # the other figure reports it too, without a rerun
                        overhead["error"] = exc
                if "error" in overhead:
                    raise overhead["error"]
                return as_figure(name, overhead[name])

            for name in ("run_overhead_ratio", "run_overhead_chain_ratio"):
                attempt(name, lambda name=name: run_overhead_figure(name))
    if "weather_fetch_efficiency" in args.only:
        with running_sandbox(WEATHER_SANDBOX_SCALE, WORK / "weather_sandbox") as sandbox:
            env = {**os.environ, **sandbox.env}
            attempt(
                "weather_fetch_efficiency",
                lambda: as_figure(
                    "weather_fetch_efficiency",
                    run_piece("weather_fetch.py", [], env, python=WEATHER_PYTHON),
                ),
            )
    attempt(
        "definitions_load_ratio",
        lambda: as_figure("definitions_load_ratio", definitions_load.run(args.repeats)),
    )
    attempt(
        "github_ingest_efficiency",
        lambda: as_figure(
            "github_ingest_efficiency",
            run_piece("github_ingest.py", ["--stars", str(GITHUB_STARS)], python=GROWTH_PYTHON),
        ),
    )
    attempt(
        "transform_overhead_ratio",
        lambda: as_figure(
            "transform_overhead_ratio",
            run_piece("transform.py", ["--scale", str(args.transform_scale)]),
        ),
    )


def merged(previous: dict[str, Any], results: dict[str, Any], only: list[str]) -> dict[str, Any]:
    """`results` plus the figures of `previous` it did not measure, each keeping its own scale."""
    kept = {k: v for k, v in previous.items() if k in FIGURES and k not in only}
    for entry in kept.values():  # the top-level scale becomes this invocation's
        if isinstance(entry, dict) and "scale" in previous:
            entry.setdefault("scale", previous["scale"])
    return {**kept, **results}


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """Each figure's value and whether it met its target."""
    out = {}
    for name, entry in results.items():
        if isinstance(entry, dict) and "value" in entry:
            check = TARGETS.get(name)
            out[name] = {"value": entry["value"], "target": entry.get("target")}
            if check is not None:
                out[name]["met"] = check(entry["value"])
    return out


def main() -> int:
    """Parse options, measure, write results; exit 1 when a figure failed to run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--transform-scale", type=int, default=10_000_000)
    parser.add_argument("--only", nargs="+", default=FIGURES, choices=FIGURES)
    parser.add_argument(
        "--repeats", type=int, default=3, help="samples per side (run overhead, definitions load)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--merge", action="store_true", help="keep figures of --out that --only leaves out"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    log(f"bench: SCALE={args.scale:,} TRANSFORM_SCALE={args.transform_scale:,} -> {args.out}")
    results: dict[str, Any] = {
        "scale": {"orders": args.scale, "transform_orders": args.transform_scale, "days": DAYS},
        "machine": machine(),
    }
    measure(args, results)
    for name in args.only:
        if isinstance(results.get(name), dict):
            results[name]["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            results[name]["scale"] = results["scale"]
    if args.merge and args.out.exists():  # keep the figures this invocation did not measure
        results = merged(json.loads(args.out.read_text()), results, args.only)
    results["summary"] = summary(results)
    results["bench_seconds"] = time.perf_counter() - started
    write_json(args.out, results)
    for name, entry in results["summary"].items():
        met = {True: " (target met)", False: " (target MISSED)"}.get(entry.get("met"), "")
        log(f"{name} = {entry['value']:,.3f}{met}")
    return 1 if any("error" in v for v in results.values() if isinstance(v, dict)) else 0


if __name__ == "__main__":
    sys.exit(main())
