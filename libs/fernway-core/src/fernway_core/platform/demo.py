"""`make demo`: start the sandbox, materialize every location in order, print what was built."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fernway_core.platform.summary import print_summary
from fernway_core.settings import find_repo_root, get_settings

READY_TIMEOUT_S = 300


def start_sandbox(
    args: argparse.Namespace, start: dt.date, data_dir: Path
) -> tuple[subprocess.Popen, dict]:
    """Run the sandbox in a child process; return it and the environment it advertises."""
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fernway_sandbox",
            "serve",
            "--seed",
            str(args.seed),
            "--scale",
            str(args.scale),
            "--start",
            start.isoformat(),
            "--days",
            str(args.days),
            "--truth",
            str(data_dir / "sandbox_truth.json"),
            "--ready-file",
            str(ready),
        ],
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("sandbox did not start; see its output above")
        time.sleep(0.2)
    return proc, json.loads(ready.read_text())["env"]


def materialize(
    location: str, root: Path, env: dict, start: dt.date, end: dt.date, report: Path
) -> int:
    """Materialize one location in its own virtualenv, logging to a file; return the exit code."""
    python = root / "projects" / location / ".venv" / "bin" / "python"
    cmd = [
        str(python),
        "-m",
        "fernway_core.platform.materialize",
        f"fernway_{location}.definitions",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--report",
        str(report),
    ]
    log = report.with_suffix(".log")
    report.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        code = subprocess.run(
            cmd, cwd=root / "projects" / location, env=env, stdout=out, stderr=out, check=False
        ).returncode
    print(f"   log: {log}")
    if code != 0:
        print("   last lines of the log:\n" + "".join(log.read_text().splitlines(True)[-30:]))
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the demo end to end; exit 1 if any run or blocking check failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--location", action="append", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root, settings = find_repo_root(), get_settings()
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    end = dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=args.days)
    print(f"Fernway demo: {args.scale:,} orders over {start} .. {end} (seed {args.seed})")
    proc, sandbox_env = start_sandbox(args, start, data_dir)
    reports: dict[str, Path] = {}
    try:
        env = {**os.environ, **sandbox_env}
        for location in args.location:
            reports[location] = data_dir / "demo" / f"{location}.json"
            print(f"\n== materializing location {location}")
            code = materialize(location, root, env, start, end, reports[location])
            for run in (
                json.loads(reports[location].read_text()) if reports[location].exists() else []
            ):
                state = "ok    " if run["success"] else "FAILED"
                print(
                    f"   {state} {run['seconds']:>7.1f} s  {len(run['materialized']):>3} assets  "
                    f"{run['label']}"
                )
            if code != 0:
                print(f"location {location} failed; later locations skipped")
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return print_summary(settings, reports, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
