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
import urllib.request
from pathlib import Path

from fernway_core.platform.summary import print_summary
from fernway_core.settings import find_repo_root, get_settings

READY_TIMEOUT_S = 300
# The alert drill: a weather run with a key the API refuses, so a real run failure reaches Slack.
DRILL = {"location": "weather", "job": "forecast_weather_job"}
DRILL_KEY = "revoked-by-the-alert-drill"


def start_sandbox(
    args: argparse.Namespace, start: dt.date, data_dir: Path
) -> tuple[subprocess.Popen, dict]:
    """Run the sandbox in a child process; return it and the environment it advertises."""
    from fernway_sandbox.services import REGISTRY  # the root env has the sandbox; core does not

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
            "--weather-calls-per-minute",
            str(args.weather_calls_per_minute),
            # free ports: the demo never collides with a `make sandbox` or a test's sandbox
            *(arg for name in REGISTRY for arg in (f"--port-{name}", "0")),
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
    args = ["fernway_core.platform.materialize", f"fernway_{location}.definitions"]
    args += ["--start", start.isoformat(), "--end", end.isoformat(), "--report", str(report)]
    log = report.with_suffix(".log")
    code = run_in_location(location, root, env, args, log)
    print(f"   log: {log}")
    if code != 0:
        print("   last lines of the log:\n" + "".join(log.read_text().splitlines(True)[-30:]))
    return code


def run_in_location(location: str, root: Path, env: dict, args: list[str], log: Path) -> int:
    """Run `python -m <args>` in a location's virtualenv, logging to `log`; the exit code."""
    python = root / "projects" / location / ".venv" / "bin" / "python"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        return subprocess.run(
            [str(python), "-m", *args],
            cwd=root / "projects" / location,
            env=env,
            stdout=out,
            stderr=out,
            check=False,
        ).returncode


def alert_drill(root: Path, env: dict, data_dir: Path) -> dict | None:
    """Fail one weather run on purpose and let its run-failure sensor alert; the drill report."""
    report = data_dir / "demo" / "alert_drill.json"
    print(f"\n== alert drill: {DRILL['job']} with a revoked weather API key (fails on purpose)")
    drill_env = {**env, "FERNWAY_WEATHER_API_KEY": DRILL_KEY}
    args = ["fernway_core.platform.alerting", f"fernway_{DRILL['location']}.definitions"]
    args += ["--job", DRILL["job"], "--report", str(report)]
    code = run_in_location(DRILL["location"], root, drill_env, args, report.with_suffix(".log"))
    if code != 0 or not report.exists():
        print(f"   the drill did not alert as expected; see {report.with_suffix('.log')}")
        return None
    drill = json.loads(report.read_text())
    print(f"   run {drill['run_id']} failed at {', '.join(drill['failed_steps'])}; alerted")
    return drill


def slack_messages(env: dict) -> list[dict]:
    """Every message the sandbox's Slack recorded."""
    url = env["FERNWAY_SLACK_BASE_URL"].rstrip("/") + "/_sandbox/messages"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["messages"]


def main(argv: list[str] | None = None) -> int:
    """Run the demo end to end; exit 1 if any run or blocking check failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--location", action="append", required=True)
    parser.add_argument(
        "--weather-calls-per-minute",
        type=int,
        default=60,
        help="the sandbox weather key's limit (60 = free plan; tests raise it to save time)",
    )
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
    drill_failed = False
    try:
        # Alerts of every demo run go to the sandbox's Slack (production: the real one).
        env = {**os.environ, **sandbox_env, "FERNWAY_ALERT_SINK": "slack"}
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
        else:
            if DRILL["location"] in args.location and alert_drill(root, env, data_dir) is None:
                drill_failed = True
        alerts = slack_messages(env)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    code = print_summary(
        settings, reports, time.perf_counter() - started, window=(start, end), alerts=alerts
    )
    return 1 if drill_failed else code


if __name__ == "__main__":
    sys.exit(main())
