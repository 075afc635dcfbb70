"""Live check: the real Dagster daemon keeps growth's 5-minute freshness target for 15 minutes.

Opt-in (it takes about 20 minutes of wall time): from `projects/growth`,

    .venv/bin/python scripts/freshness_live.py [--minutes 15]

It starts a GitHub sandbox on free ports (its clock follows real time, so stars keep arriving),
renders a throwaway Dagster instance from the repo's dagster.yaml, and starts
`dagster-daemon run -m fernway_growth.definitions` against an empty DuckDB warehouse. Nothing is
materialized by hand: the freshness automation sensor requests the loads and both dbt projects,
the daemon launches the runs. Every 30 s it prints the age of `growth/cumulative_stars` and
`growth/release_stars`; from the first materialization of cumulative_stars on, the check fails
as soon as either is older than its fail window or a lateness alert names it, and passes after
`--minutes` of holding. Exit status 0 = held, 1 = missed, 2 = never materialized.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

from fernway_core.alerts import ALERTS_FILE, read_alerts
from fernway_devtools.instance import write_instance
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.sandbox import Sandbox

HERE = Path(__file__).resolve().parents[1]  # projects/growth
ROOT = HERE.parents[1]
TARGETS = {"growth/cumulative_stars": 300.0, "growth/release_stars": 600.0}
TICK_S = 30.0


def last_materialized(instance: dg.DagsterInstance, key: str) -> float | None:
    event = instance.get_latest_materialization_event(dg.AssetKey.from_user_string(key))
    return event.timestamp if event else None


def stop(proc: subprocess.Popen) -> None:
    """Interrupt the daemon's process group, then end what is left of it."""
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


def watch(instance: dg.DagsterInstance, alerts: Path, minutes: float, warmup_s: float) -> int:
    """Tick until the target held for `minutes` after its first materialization, or failed."""
    started = time.time()
    held_from: float | None = None
    worst = dict.fromkeys(TARGETS, 0.0)
    while True:
        now = time.time()
        ages = {
            key: (now - last) if (last := last_materialized(instance, key)) else None
            for key in TARGETS
        }
        runs = len(instance.get_run_records())
        shown = ", ".join(
            f"{k.split('/')[1]} {'-' if a is None else f'{a:.0f} s'}" for k, a in ages.items()
        )
        print(f"[{(now - started) / 60:5.1f} min] ages: {shown}; runs so far: {runs}", flush=True)
        if held_from is None and ages["growth/cumulative_stars"] is not None:
            held_from = now
            print("first materialization of cumulative_stars: the 15 minutes start", flush=True)
        if held_from is None:
            if now - started > warmup_s:
                print(f"FAILED: nothing materialized within {warmup_s:.0f} s", flush=True)
                return 2
        else:
            for key, age in ages.items():
                if age is None:
                    continue
                worst[key] = max(worst[key], age)
                if age > TARGETS[key]:
                    print(f"FAILED: {key} is {age:.0f} s old (> {TARGETS[key]:.0f} s)")
                    return 1
            # a target never materialized before the first refresh is late too: only alerts
            # raised once the targets were up count against the automation
            late = [
                a
                for a in read_alerts(alerts)
                if a.get("asset_key") in TARGETS
                and dt.datetime.fromisoformat(a["sent_at"]).timestamp() > held_from
                and "never" not in a["text"]
            ]
            if late:
                print(f"FAILED: lateness alert raised: {json.dumps(late[-1])}")
                return 1
            if now - held_from >= minutes * 60:
                print(f"HELD for {minutes:g} min: worst ages (s) {worst}, {runs} runs", flush=True)
                return 0
        time.sleep(max(0.0, TICK_S - (time.time() - now)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--warmup-minutes", type=float, default=10.0)
    args = parser.parse_args(argv)
    # a terminated check still stops the daemon and the sandbox (finally blocks run)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    scratch = Path(tempfile.mkdtemp(prefix="growth-live-"))
    home = scratch / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=False)
    # the window runs until tomorrow: stars keep arriving (and leaving) while the check runs
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=9)
    config = SandboxConfig(services=("github",), scale=50_000, start=start, days=10)
    with Sandbox(config).start() as sandbox:
        env = {
            **os.environ,
            **sandbox.env(),
            "DAGSTER_HOME": str(home),
            "FERNWAY_DATA_DIR": str(scratch / "data"),
            "FERNWAY_ENV_FILE": "",
        }
        env.pop("FERNWAY_WAREHOUSE_URL", None)
        command = [str(HERE / ".venv" / "bin" / "dagster-daemon"), "run"]
        command += ["-m", "fernway_growth.definitions"]
        log = (scratch / "daemon.log").open("w")
        # the instance's storage is created here, before the daemon opens it too
        with dg.DagsterInstance.from_config(str(home)) as instance:
            print(f"dagster-daemon (log: {log.name}); sandbox: {sandbox.urls['github']}")
            proc = subprocess.Popen(
                command,
                cwd=HERE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                alerts = scratch / "data" / ALERTS_FILE
                return watch(instance, alerts, args.minutes, args.warmup_minutes * 60)
            finally:
                stop(proc)
                log.close()


if __name__ == "__main__":
    sys.exit(main())
