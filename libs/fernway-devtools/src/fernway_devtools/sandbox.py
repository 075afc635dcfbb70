"""The sandbox as the demo and `make dev` run it (child process, free ports), or `make sandbox`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fernway_core.settings import get_settings
from fernway_sandbox.config import DEFAULTS
from fernway_sandbox.services import REGISTRY

READY_TIMEOUT_S = 300
# Under the data dir: the knobs the last `make demo` served; `make dev` serves the same again.
RECORDED_KNOBS = Path("demo", "sandbox.json")


@dataclass(frozen=True)
class Knobs:
    """What the sandbox serves: seed, orders, window, and the weather key's calls per minute."""

    seed: int
    scale: int
    start: dt.date
    days: int
    weather_calls_per_minute: int

    @property
    def end(self) -> dt.date:
        """The first day after the window."""
        return self.start + dt.timedelta(days=self.days)


def record_knobs(knobs: Knobs, path: Path) -> None:
    """Write the knobs as JSON (what `recorded_knobs` reads back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {**asdict(knobs), "start": knobs.start.isoformat()}
    path.write_text(json.dumps(values, indent=2) + "\n")


def recorded_knobs(path: Path) -> Knobs | None:
    """The knobs `record_knobs` wrote to `path`, or None when there is no such file."""
    if not path.exists():
        return None
    values = json.loads(path.read_text())
    return Knobs(**{**values, "start": dt.date.fromisoformat(values["start"])})


def add_knob_arguments(parser: argparse.ArgumentParser, weather_calls_per_minute: int) -> None:
    """--seed/--scale (sandbox defaults), --days (FERNWAY_DAYS), --weather-calls-per-minute."""
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--scale", type=int, default=DEFAULTS["scale"], help="marketplace orders")
    parser.add_argument("--days", type=int, default=None, help="window length (FERNWAY_DAYS)")
    parser.add_argument(
        "--weather-calls-per-minute",
        type=int,
        default=weather_calls_per_minute,
        help="the sandbox weather key's limit",
    )


def other_world(previous: Knobs | None, knobs: Knobs) -> str | None:
    """How `knobs` make another sandbox world than `previous` (None when they do not).

    Seed, scale and window length decide what the sandbox's systems hold (ids, releases, rows);
    the window's start does not (a demo the next day serves the same world a day later).
    """
    if previous is None:
        return None
    changed = [
        f"{name} {getattr(previous, name)} -> {getattr(knobs, name)}"
        for name in ("seed", "scale", "days")
        if getattr(previous, name) != getattr(knobs, name)
    ]
    return ", ".join(changed) or None


def knobs_from(args: argparse.Namespace) -> Knobs:
    """The window ends today (UTC); its length defaults to the settings' `days`."""
    days = args.days or get_settings().days
    end = dt.datetime.now(dt.UTC).date()
    return Knobs(
        args.seed, args.scale, end - dt.timedelta(days=days), days, args.weather_calls_per_minute
    )


def serve_command(knobs: Knobs, truth: Path, free_ports: bool) -> list[str]:
    """The `fernway_sandbox serve` command line for these knobs."""
    command = [
        sys.executable, "-m", "fernway_sandbox", "serve",
        "--seed", str(knobs.seed), "--scale", str(knobs.scale),
        "--start", knobs.start.isoformat(), "--days", str(knobs.days),
        "--truth", str(truth),
        "--weather-calls-per-minute", str(knobs.weather_calls_per_minute),
    ]  # fmt: skip
    if free_ports:  # never collides with a `make sandbox` or a test's sandbox
        command += [arg for name in REGISTRY for arg in (f"--port-{name}", "0")]
    return command


@contextmanager
def running_sandbox(knobs: Knobs, truth: Path, log: Path) -> Iterator[dict[str, str]]:
    """Run the sandbox in a child process on free ports; yield the environment it advertises."""
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*serve_command(knobs, truth, free_ports=True), "--ready-file", str(ready)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not ready.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"sandbox did not start; see {log}")
                time.sleep(0.2)
            yield json.loads(ready.read_text())["env"]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    """`make sandbox`: serve on the documented ports in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    add_knob_arguments(parser, DEFAULTS["weather_calls_per_minute"])
    knobs = knobs_from(parser.parse_args(argv))
    truth = get_settings().data_dir / "sandbox_truth.json"
    return subprocess.run(serve_command(knobs, truth, free_ports=False), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
