"""`make demo`: start the sandbox, materialize every location in order, print what was built."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fernway_core.settings import find_repo_root, get_settings
from fernway_devtools.materialize import PROGRESS
from fernway_devtools.sandbox import (
    RECORDED_KNOBS,
    Knobs,
    add_knob_arguments,
    knobs_from,
    record_knobs,
    running_sandbox,
)
from fernway_devtools.summary import print_summary

# The alert drill: a weather run with a key the API refuses, so a real run failure reaches Slack.
DRILL = {"location": "weather", "job": "forecast_weather_job"}
DRILL_KEY = "revoked-by-the-alert-drill"
# The demo's weather key is on OpenWeatherMap's "Startup" plan (600 calls/min) rather than the
# free plan's 60, so a 92-day backfill takes seconds; tests and the bench keep the free plan's
# limit where pacing is the point.
DEMO_WEATHER_PLAN = ("Startup", 600)
# Log lines of a location worth showing live: the materializer's and the assets' own progress.
LIVE_MARKERS = (PROGRESS, "progress: ")
_STEP_DONE = re.compile(r" - (STEP_SUCCESS|STEP_FAILURE) - ")
_MATERIALIZED = re.compile(r" - ASSET_MATERIALIZATION - Materialized value (\S+) (\S+?)\.?$")
_PLANNED = re.compile(r"plan: \d+ runs over (\d+) assets")


class LiveProgress:
    """Turns a location's log into a few live lines: steps done, assets done of total, ETA."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.total = 0
        self.assets: set[str] = set()

    def line(self, line: str) -> str | None:
        """What to show for one log line, or None."""
        for marker in LIVE_MARKERS:
            if marker in line:
                shown = line[line.index(marker) :].removeprefix(PROGRESS).strip()
                if planned := _PLANNED.search(shown):
                    self.total = int(planned.group(1))
                return shown
        if materialized := _MATERIALIZED.search(line):
            self.assets.add("/".join(materialized.groups()))
        if done := _STEP_DONE.search(line):
            # "<time> - dagster - <level> - <job> - <run id> - <pid> - <step> - <EVENT> - ..."
            fields = line.split(" - ")
            step = fields[6] if len(fields) > 7 else "?"
            elapsed = time.monotonic() - self.started
            counted = len(self.assets)
            eta = f"{elapsed / counted * max(self.total - counted, 0):.0f} s" if counted else "?"
            state = "ok" if done.group(1) == "STEP_SUCCESS" else "FAILED"
            return (
                f"step {step} {state}; assets {counted}/{self.total or '?'} after "
                f"{elapsed:.0f} s (ETA {eta})"
            )
        return None


def run_in_location(location: str, root: Path, env: dict, args: list[str], log: Path) -> int:
    """Run `python -m <args>` in a location's virtualenv; log everything, echo progress lines."""
    python = root / "projects" / location / ".venv" / "bin" / "python"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(python), "-m", *args],
            cwd=root / "projects" / location,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        live = LiveProgress()
        for line in proc.stdout:
            out.write(line)
            if (shown := live.line(line.rstrip("\n"))) is not None:
                print("   " + shown, flush=True)
        return proc.wait()


def materialize(location: str, root: Path, env: dict, knobs: Knobs, report: Path) -> int:
    """Materialize one location in its own virtualenv; return the exit code."""
    args = ["fernway_devtools.materialize", f"fernway_{location}.definitions"]
    args += ["--start", knobs.start.isoformat(), "--end", knobs.end.isoformat()]
    args += ["--report", str(report)]
    log = report.with_suffix(".log")
    code = run_in_location(location, root, env, args, log)
    print(f"   log: {log}")
    if code != 0:
        print("   last lines of the log:\n" + "".join(log.read_text().splitlines(True)[-30:]))
    return code


def alert_drill(root: Path, env: dict, data_dir: Path) -> dict | None:
    """Fail one weather run on purpose and let its run-failure sensor alert; the drill report."""
    report = data_dir / "demo" / "alert_drill.json"
    print(f"\n== alert drill: {DRILL['job']} with a revoked weather API key (fails on purpose)")
    drill_env = {**env, "FERNWAY_WEATHER_API_KEY": DRILL_KEY}
    args = ["fernway_devtools.alerting", f"fernway_{DRILL['location']}.definitions"]
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
    add_knob_arguments(parser, weather_calls_per_minute=DEMO_WEATHER_PLAN[1])
    parser.add_argument("--location", action="append", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root, settings = find_repo_root(), get_settings()
    knobs = knobs_from(args)
    record_knobs(knobs, settings.data_dir / RECORDED_KNOBS)  # `make dev` serves them again
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    plan = (
        f"{DEMO_WEATHER_PLAN[0]} plan"
        if knobs.weather_calls_per_minute == DEMO_WEATHER_PLAN[1]
        else "custom limit"
    )
    print(
        f"Fernway demo: {knobs.scale:,} orders over {knobs.start} .. {knobs.end} "
        f"(seed {knobs.seed}); weather key: {knobs.weather_calls_per_minute:,} calls/min "
        f"({plan}; the free plan allows 60)",
        flush=True,
    )
    reports: dict[str, Path] = {}
    drill_failed = False
    truth = data_dir / "sandbox_truth.json"
    with running_sandbox(knobs, truth, data_dir / "demo" / "sandbox.log") as sandbox_env:
        # Alerts of every demo run go to the sandbox's Slack (production: the real one).
        env = {**os.environ, **sandbox_env, "FERNWAY_ALERT_SINK": "slack"}
        for location in args.location:
            reports[location] = data_dir / "demo" / f"{location}.json"
            reports[location].unlink(missing_ok=True)
            print(f"\n== materializing location {location}", flush=True)
            if materialize(location, root, env, knobs, reports[location]) != 0:
                print(f"location {location} failed; later locations skipped")
                break
        else:
            if DRILL["location"] in args.location and alert_drill(root, env, data_dir) is None:
                drill_failed = True
        alerts = slack_messages(env)
    code = print_summary(settings, reports, time.perf_counter() - started, alerts=alerts)
    return 1 if drill_failed else code


if __name__ == "__main__":
    sys.exit(main())
