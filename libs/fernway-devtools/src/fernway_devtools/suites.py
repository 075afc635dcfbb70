"""`make test`: every test suite (one per environment), a few at a time, with live progress.

Each suite runs `pytest` in its own virtualenv with its own scratch state, so suites do not
depend on each other or on their order (`--reverse` runs them the other way round;
`make test TEST_ORDER=reverse` passes it). Output goes to one log per suite; a finished suite
prints its summary and slowest tests, a failed one its whole log.

Scratch state (every `tempfile` and pytest `tmp_path`: DuckDB warehouses, Dagster instances) goes
to a RAM disk when the machine has one with room (`/dev/shm`), one folder per suite: Dagster's
SQLite storage and DuckDB wait for the disk on every commit, which is most of a test's time on a
small machine. `--scratch DIR` picks another place.

Usage: python -m fernway_devtools.suites [--jobs N] [--reverse] DIR [DIR ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "--durations=25"]
REPORT_EVERY_SECONDS = 60.0
TAIL_LINES = 14
RAM_DISKS = (Path("/dev/shm"),)
MIN_FREE_BYTES = 4 * 1024**3


def scratch_root(candidates: tuple[Path, ...] = RAM_DISKS) -> Path:
    """The first candidate that is a writable directory with room, else the usual temp dir."""
    for candidate in candidates:
        try:
            if (
                os.access(candidate, os.W_OK)
                and shutil.disk_usage(candidate).free >= MIN_FREE_BYTES
            ):
                return candidate
        except OSError:
            continue
    return Path(tempfile.gettempdir())


@dataclass
class Suite:
    """One environment's tests, running or done."""

    directory: Path
    log: Path
    scratch: Path
    proc: subprocess.Popen | None = None
    started: float = 0.0
    seconds: float = 0.0
    code: int | None = None

    @property
    def name(self) -> str:
        return "platform (tests/)" if self.directory == Path() else str(self.directory)

    def start(self) -> None:
        """Start pytest in the suite's directory, with its own virtualenv's interpreter."""
        self.started = time.monotonic()
        self.scratch.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [str(self.directory.resolve() / ".venv" / "bin" / "pytest"), *PYTEST_ARGS],
                cwd=self.directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "TMPDIR": str(self.scratch)},
            )

    def finished(self) -> bool:
        """Whether pytest exited (then `code` and `seconds` are set)."""
        if self.proc is None or (code := self.proc.poll()) is None:
            return False
        self.code, self.seconds = code, time.monotonic() - self.started
        return True


def _log_name(directory: Path) -> str:
    return "platform" if directory == Path() else directory.as_posix().replace("/", "_")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def report(suite: Suite) -> None:
    """A finished suite: its summary and slowest tests, or its whole log if it failed."""
    lines = suite.log.read_text(errors="replace").splitlines()
    state = "passed" if suite.code == 0 else f"FAILED (exit {suite.code})"
    print(f"\n== tests: {suite.name} {state} in {_minutes(suite.seconds)}", flush=True)
    shown = lines if suite.code else lines[-TAIL_LINES:]
    print("\n".join("   " + line for line in shown), flush=True)


def run(directories: list[Path], jobs: int, logs: Path, scratch: Path) -> list[Suite]:
    """Run the suites, at most `jobs` at once, in the given order; every suite runs."""
    pending = [Suite(d, logs / f"{_log_name(d)}.log", scratch / _log_name(d)) for d in directories]
    running: list[Suite] = []
    done: list[Suite] = []
    last_report = time.monotonic()
    while pending or running:
        while pending and len(running) < jobs:
            suite = pending.pop(0)
            suite.start()
            running.append(suite)
            print(f"== tests: {suite.name} started (log: {suite.log})", flush=True)
        time.sleep(0.5)
        for suite in [s for s in running if s.finished()]:
            running.remove(suite)
            done.append(suite)
            report(suite)
        if running and time.monotonic() - last_report >= REPORT_EVERY_SECONDS:
            now = time.monotonic()
            busy = ", ".join(f"{s.name} {_minutes(now - s.started)}" for s in running)
            print(f"   ... {len(done)}/{len(directories)} suites done; running: {busy}", flush=True)
            last_report = now
    return done


def main(argv: list[str] | None = None) -> int:
    """Run every suite; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("TEST_JOBS", "2")))
    parser.add_argument("--reverse", action="store_true", help="run the suites in reverse order")
    parser.add_argument("--scratch", type=Path, help="where the suites' temp files go")
    args = parser.parse_args(argv)
    directories = list(reversed(args.directories)) if args.reverse else args.directories
    jobs = max(args.jobs, 1)
    started = time.monotonic()
    root = args.scratch or scratch_root()
    print(f"== tests: {len(directories)} suites, {jobs} at a time; scratch in {root}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="fernway-tests-") as logs,
        tempfile.TemporaryDirectory(prefix="fernway-scratch-", dir=root) as scratch,
    ):
        done = run(directories, jobs, Path(logs), Path(scratch))
    failed = [s.name for s in done if s.code != 0]
    print(
        f"\n== tests: {len(done) - len(failed)}/{len(done)} suites passed in "
        f"{_minutes(time.monotonic() - started)}"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
