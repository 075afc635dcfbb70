"""`make dev`: the Dagster UI and daemon over every location, beside the sandbox they talk to."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from fernway_core.settings import SettingsError, find_repo_root, get_settings
from fernway_devtools.sandbox import (
    RECORDED_KNOBS,
    Knobs,
    add_knob_arguments,
    knobs_from,
    recorded_knobs,
    running_sandbox,
)
from fernway_sandbox.config import DEFAULTS

# Seconds `dagster dev` gets to stop its webserver, daemon and code servers, then what is left
# of its process group (a run in progress) after SIGTERM; past them, SIGKILL.
STOP_TIMEOUT_S = 60
STRAGGLER_TIMEOUT_S = 10


def knobs_to_serve(data_dir: Path) -> tuple[Knobs, str]:
    """The last demo's knobs (its runs and new ticks see the same data), else `make sandbox`'s."""
    recorded = recorded_knobs(data_dir / RECORDED_KNOBS)
    if recorded is not None:
        return recorded, "the last demo's"
    parser = argparse.ArgumentParser()
    add_knob_arguments(parser, DEFAULTS["weather_calls_per_minute"])
    return knobs_from(parser.parse_args([])), "no demo yet: the defaults"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """First Ctrl-C or SIGTERM: shut down; later ones must not cut the shutdown short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to a process group; False when no process of the group is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def stop(proc: subprocess.Popen) -> None:
    """Ctrl-C `dagster dev`'s process group as a terminal would; then end whatever is left."""
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if _signal_group(proc.pid, signal.SIGTERM):
        deadline = time.monotonic() + STRAGGLER_TIMEOUT_S
        while _signal_group(proc.pid, 0) and time.monotonic() < deadline:
            time.sleep(0.2)
        _signal_group(proc.pid, signal.SIGKILL)


def serve(command: list[str], root: Path, env: dict[str, str]) -> int:
    """Run `dagster dev` in its own process group until it exits or we are interrupted."""
    proc = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        print("\nstopping the UI, daemon and code servers", flush=True)
        return 0
    finally:
        stop(proc)


def main(argv: list[str] | None = None) -> int:
    """Serve the UI and daemon (with the sandbox locally) until Ctrl-C; then stop all of it."""
    parser = argparse.ArgumentParser(description=main.__doc__, add_help=False)
    parser.add_argument("--help", action="help", help="show this help message and exit")
    parser.add_argument("-h", "--host", required=True)
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument(
        "--no-sandbox", action="store_true", help="talk to the configured systems (always in prod)"
    )
    args = parser.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    root = find_repo_root()
    command = [str(root / ".venv" / "bin" / "dagster"), "dev", "-w", "workspace.yaml"]
    command += ["-h", args.host, "-p", str(args.port)]
    ui = f"Dagster UI: http://{args.host}:{args.port}"
    # the couriers catalog reads the platform's asset graph from this UI's GraphQL
    own_url = {"FERNWAY_DAGSTER_URL": f"http://{args.host}:{args.port}"}
    try:
        if args.no_sandbox or settings.env != "local":
            print(f"{ui} (FERNWAY_ENV={settings.env}; no sandbox)", flush=True)
            return serve(command, root, {**os.environ, **own_url})
        knobs, which = knobs_to_serve(settings.data_dir)
        log = settings.data_dir / "dev" / "sandbox.log"
        print(
            f"sandbox ({which} knobs): {knobs.scale:,} orders over {knobs.start} .. {knobs.end} "
            f"(seed {knobs.seed}), weather key {knobs.weather_calls_per_minute:,} calls/min; "
            f"log: {log}",
            flush=True,
        )
        truth = settings.data_dir / "sandbox_truth.json"
        with running_sandbox(knobs, truth, log) as sandbox_env:
            for name, value in sandbox_env.items():
                if name.endswith("_URL"):
                    print(f"  {name}={value}")
            print(f"{ui} (Ctrl-C stops the UI, daemon, code servers and sandbox)", flush=True)
            # As in the demo, alerts go to the sandbox's Slack; the settings' window is its window.
            env = {
                **os.environ,
                **sandbox_env,
                "FERNWAY_ALERT_SINK": "slack",
                "FERNWAY_START_DATE": knobs.start.isoformat(),
                "FERNWAY_DAYS": str(knobs.days),
                **own_url,
            }
            code = serve(command, root, env)
            print("stopping the sandbox", flush=True)
        return code
    except KeyboardInterrupt:  # while the sandbox was starting
        return 0
    finally:
        print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
