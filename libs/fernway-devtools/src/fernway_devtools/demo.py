"""`make demo`: start the sandbox, materialize every location in order, print what was built."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from fernway_core.settings import find_repo_root, get_settings
from fernway_devtools.materialize import NEEDS, PROGRESS
from fernway_devtools.sandbox import (
    RECORDED_KNOBS,
    Knobs,
    add_knob_arguments,
    knobs_from,
    other_world,
    record_knobs,
    recorded_knobs,
    running_sandbox,
)
from fernway_devtools.summary import print_summary

# The alert drill: a weather run with a key the API refuses, so a real run failure reaches Slack.
DRILL = {"location": "weather", "job": "forecast_weather_job"}
DRILL_KEY = "revoked-by-the-alert-drill"
LOW_PRIORITY = 19  # `nice` value of the demo's processes that no other location waits for
# The demo's weather key is on OpenWeatherMap's "Developer" plan (3,000 calls/min) rather than the
# free plan's 60, so a 92-day backfill (280 calls) takes seconds instead of the half minute the
# "Startup" plan's 600 allow; tests and the bench keep the free plan's limit where pacing is the
# point.
DEMO_WEATHER_PLAN = ("Developer", 3000)
# A single run over a whole window records one "planned" event per asset for the window instead
# of one per partition (Dagster's own switch; 2,208 SQLite writes fewer for the hourly weather
# history). Its cost: a failed run does not mark each partition of its window as failed.
DAGSTER_ENV = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}
# The catalog (DataHub) reads every location's assets and runs: it starts with the others (its
# definitions load meanwhile) and goes on once every other task has ended.
CATALOG = {"location": "couriers", "group": "catalog", "summary_hook": "catalog_summary"}
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


def location_command(location: str, root: Path, args: list[str]) -> list[str]:
    """`python -m <args>` in a location's own virtualenv."""
    return [str(root / "projects" / location / ".venv" / "bin" / "python"), "-m", *args]


def run_in_location(location: str, root: Path, env: dict, args: list[str], log: Path) -> int:
    """Run `python -m <args>` in a location's virtualenv; log everything, echo progress lines."""
    task = Task(location, location, location_command(location, root, args), log)
    task.start(root, env, threading.Lock())
    return task.wait()


@dataclass
class Task:
    """One process of the demo (a location's materialization or the alert drill), run live."""

    name: str
    location: str
    command: list[str]
    log: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    waiting: bool = False  # its last progress line says it waits for another location
    needs: list[str] | None = None  # the teams it reads from, once it said so
    background: bool = False  # nothing ever waits for it: low CPU priority from the start
    last: bool = False  # goes on once every other task has ended (it reads what they all built)
    go_file: Path | None = None  # a last task's signal to go on, written once the others ended
    started: float = field(default_factory=time.monotonic)  # the demo's start, for elapsed times
    _reader: threading.Thread | None = field(default=None, repr=False)

    def start(self, root: Path, env: dict, screen: threading.Lock) -> None:
        """Start the process and a thread that logs its output and echoes its progress."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            self.command,
            cwd=root / "projects" / self.location,
            env={**env, **self.extra_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._follow, args=(screen,), daemon=True)
        self._reader.start()

    def _follow(self, screen: threading.Lock) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        live = LiveProgress()
        with self.log.open("w") as out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                if (shown := live.line(line.rstrip("\n"))) is None:
                    continue
                if shown.startswith(NEEDS):
                    teams = shown.removeprefix(NEEDS).strip()
                    self.needs = [] if teams == "nothing" else teams.split(", ")
                    continue
                if "waiting for" in shown:
                    self.waiting = True
                elif "upstream ready" in shown:
                    self.waiting = False
                elapsed = time.monotonic() - self.started
                with screen:
                    print(f"   {elapsed:4.0f} s  {self.name:<9} {shown}", flush=True)

    def wait(self) -> int:
        """Wait for the process and its output."""
        assert self.proc is not None
        assert self._reader is not None
        code = self.proc.wait()
        self._reader.join()
        return code

    def ended(self) -> bool:
        """Whether the process has exited."""
        return self.proc is not None and self.proc.poll() is not None

    def yield_cpu(self) -> None:
        """Lower the process's priority: nothing waits for it, so it must not slow what does."""
        if self.proc is not None and self.proc.poll() is None:
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, LOW_PRIORITY)

    def stop(self) -> None:
        """Terminate the process (a failed upstream means it can never finish)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def materialize_task(
    location: str, root: Path, knobs: Knobs, report: Path, after: float, *extra: str
) -> Task:
    """Materialize one location in its own virtualenv, once its cross-location inputs exist."""
    args = ["fernway_devtools.materialize", f"fernway_{location}.definitions"]
    args += ["--start", knobs.start.isoformat(), "--end", knobs.end.isoformat()]
    args += ["--report", str(report), "--after", f"{after:.6f}", *extra]
    return Task(
        location, location, location_command(location, root, args), report.with_suffix(".log")
    )


def catalog_task(location_task: Task, root: Path, knobs: Knobs, report: Path, after: float) -> Task:
    """The catalog's group of `CATALOG["location"]`, split from its location's task: it reads
    the whole platform (through the demo's webserver), so it runs once every location is built."""
    location_task.command += ["--skip-group", CATALOG["group"]]
    task = materialize_task(
        CATALOG["location"], root, knobs, report, after,
        "--only-group", CATALOG["group"], "--summary-hook", CATALOG["summary_hook"],
    )  # fmt: skip
    task.name, task.last = "catalog", True
    task.go_file = report.with_suffix(".go")
    task.go_file.unlink(missing_ok=True)
    task.command += ["--start-file", str(task.go_file)]
    return task


@contextmanager
def running_webserver(root: Path, env: dict, log: Path) -> Iterator[str]:
    """`dagster-webserver` (read-only) over every location at a low CPU priority: a person can
    watch the demo's runs live, and the catalog reads the platform's asset graph from it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(root / ".venv" / "bin" / "dagster-webserver"), "-w", "workspace.yaml"]
    command += ["-h", "127.0.0.1", "-p", str(port), "--read-only"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: os.nice(LOW_PRIORITY),
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Read-only, it holds nothing to save: killed at once (a graceful stop of the UI and its
        # code servers takes ~5 s, all of it at the end of the demo).
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def drill_task(root: Path, data_dir: Path, after: float) -> Task:
    """Fail one weather run on purpose and let its run-failure sensor alert."""
    report = data_dir / "demo" / "alert_drill.json"
    args = ["fernway_devtools.alerting", f"fernway_{DRILL['location']}.definitions"]
    args += ["--job", DRILL["job"], "--report", str(report), "--after", f"{after:.6f}"]
    command = location_command(DRILL["location"], root, args)
    drill_env = {"FERNWAY_WEATHER_API_KEY": DRILL_KEY}
    log = report.with_suffix(".log")
    return Task("drill", DRILL["location"], command, log, drill_env, background=True)


def drill_result(task: Task, code: int) -> dict | None:
    """The drill's report, or None when it did not fail and alert as expected."""
    report = task.log.with_suffix(".json")
    if code != 0 or not report.exists():
        print(f"   the alert drill did not alert as expected; see {task.log}")
        return None
    drill = json.loads(report.read_text())
    print(
        f"   alert drill: run {drill['run_id']} failed at "
        f"{', '.join(drill['failed_steps'])}; alerted"
    )
    return drill


def run_all(tasks: list[Task], root: Path, env: dict) -> dict[str, int]:
    """Run every task side by side; each location waits in its own process for what it reads.

    Tasks start one after another, each once the one before has loaded its definitions (loading
    is CPU-bound: started together they would all be slow, the first location most). Once every
    task has said what it reads, those nothing waits for get a lower CPU priority. A failed task
    stops only the tasks that read from it (they can never finish); the others go on. Tasks left
    waiting with nothing else running are stopped too. Exit codes by task name.
    """
    screen = threading.Lock()
    started = time.monotonic()
    for task in tasks:
        task.started = started
    pending: list[Task] = list(tasks)
    running: list[Task] = []
    codes: dict[str, int] = {}
    prioritized = False
    while pending or running:
        others_done = (
            not any(t is not pending[0] and not t.ended() for t in tasks) if pending else False
        )
        # a last task with a go file loads meanwhile and goes on once the file is written
        ready = bool(pending) and (
            not pending[0].last or pending[0].go_file is not None or others_done
        )
        if ready and (not running or running[-1].needs is not None or running[-1].ended()):
            task = pending.pop(0)
            task.start(root, env, screen)
            if task.background:
                task.yield_cpu()
            running.append(task)
        time.sleep(0.2)
        # (the last task runs alone once the others ended: it takes no part in this)
        if (
            not prioritized
            and not [t for t in pending if not t.last]
            and all(t.needs is not None or t.ended() for t in tasks if not t.last)
        ):
            # On few cores the chain others wait for goes first: the rest runs in its gaps. A
            # last task (the catalog) reads what every other task built: then each is on a path
            # the end waits for, and yielding CPU would only move the end later (measured: the
            # default demo ended 10 s later with the locations only the catalog reads niced).
            needed = set().union(*(t.needs or [] for t in tasks))
            if any(t.last for t in tasks):
                needed |= {t.name for t in tasks}
            for task in tasks:
                if task.name not in needed:
                    task.yield_cpu()
            prioritized = True
        if all(t.ended() for t in tasks if not t.last):
            for task in running:
                if task.go_file is not None and not task.go_file.exists():
                    task.go_file.touch()  # every task it reads from has ended: go on
        for task in [t for t in running if t.ended()]:
            running.remove(task)
            codes[task.name] = task.wait()
            if codes[task.name] != 0:
                print(f"   {task.name} failed (log: {task.log})", flush=True)
        failed = {name for name, code in codes.items() if code != 0}
        for task in [t for t in running if set(t.needs or ()) & failed]:
            print(
                f"   {task.name} reads from {', '.join(sorted(set(task.needs or ()) & failed))}"
                ", which failed; stopped",
                flush=True,
            )
            task.stop()
            codes[task.name] = task.wait() or 1
            running.remove(task)
        # Stuck: waiting with nothing left to build what it reads. A task whose teams all
        # finished well is about to see their assets (the catalog, started last, waits a moment).
        built = {name for name, code in codes.items() if code == 0}
        if (
            running
            and not pending
            and all(t.waiting and not set(t.needs or ()) <= built for t in running)
        ):
            names = ", ".join(t.name for t in running)
            print(f"   {names}: waiting for assets no running location builds; stopped")
            for task in running:
                task.stop()
                codes[task.name] = task.wait() or 1
            running = []
    return codes


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
    if change := other_world(recorded_knobs(settings.data_dir / RECORDED_KNOBS), knobs):
        # The loads merge on the sources' ids: two worlds in one warehouse would both stay.
        raise SystemExit(
            f"{settings.data_dir} holds an earlier demo of another sandbox world ({change}): "
            "remove it and .dagster/ (or set FERNWAY_DATA_DIR elsewhere), then run again"
        )
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
    reports = {loc: data_dir / "demo" / f"{loc}.json" for loc in args.location}
    for report in reports.values():
        report.unlink(missing_ok=True)
    truth = data_dir / "sandbox_truth.json"
    after = time.time()  # each location waits for what others built from here on
    tasks = [materialize_task(loc, root, knobs, reports[loc], after) for loc in args.location]
    if DRILL["location"] in args.location:
        tasks.append(drill_task(root, data_dir, after))
    if CATALOG["location"] in args.location:
        owner = next(t for t in tasks if t.name == CATALOG["location"])
        reports["catalog"] = data_dir / "demo" / "catalog.json"
        reports["catalog"].unlink(missing_ok=True)
        tasks.append(catalog_task(owner, root, knobs, reports["catalog"], after))
    print(
        "\n== materializing " + ", ".join(args.location) + " at once (each location waits for"
        " what it reads from the others); logs under " + str(data_dir / "demo"),
        flush=True,
    )
    with (
        running_sandbox(knobs, truth, data_dir / "demo" / "sandbox.log") as sandbox_env,
        running_webserver(
            root, {**os.environ, **sandbox_env}, data_dir / "demo" / "webserver.log"
        ) as ui,
    ):
        print(f"   watch it live (read-only UI): {ui}", flush=True)
        # Alerts of every demo run go to the sandbox's Slack (production: the real one).
        env = {**os.environ, **sandbox_env, "FERNWAY_ALERT_SINK": "slack", **DAGSTER_ENV}
        env["FERNWAY_DAGSTER_URL"] = ui
        codes = run_all(tasks, root, env)
        alerts = slack_messages(env)
    for task in tasks:
        if codes.get(task.name, 1) != 0 and task.name != "drill":
            print(f"\nlocation {task.name} failed; last lines of {task.log}:")
            print("".join(task.log.read_text().splitlines(True)[-30:]) if task.log.exists() else "")
    drill_failed = False
    if any(t.name == "drill" for t in tasks):
        drill = next(t for t in tasks if t.name == "drill")
        drill_failed = drill_result(drill, codes.get("drill", 1)) is None
    reports = {loc: path for loc, path in reports.items() if path.exists()}
    code = print_summary(settings, reports, time.perf_counter() - started, alerts=alerts)
    failed = any(codes.get(t.name, 1) != 0 for t in tasks if t.name != "drill")
    return 1 if drill_failed or failed else code


if __name__ == "__main__":
    sys.exit(main())
