"""`make workers N=2 LOCATION=analytics`: N Celery workers for one location until Ctrl-C.

Each worker is `dagster-celery worker start` in the location's own virtualenv (it imports the
location's code), with the broker, backend and queue the celery executor uses
(`fernway_core.executors.celery_config`), one step at a time. Workers need the same
`DAGSTER_HOME` (Postgres instance storage) as the runs that send them steps.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from fernway_core.executors import celery_config
from fernway_core.settings import find_repo_root, get_settings

READY = " ready."  # what a Celery worker logs once it consumes from its queue


@dataclass
class Worker:
    """One `dagster-celery worker start` process group and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def hostname(self) -> str:
        """The name Celery reports for this worker (`<name>@<host>`)."""
        return f"{self.name}@{socket.gethostname()}"

    def is_ready(self) -> bool:
        """Whether the worker logged that it consumes from its queue."""
        return self.log.exists() and READY in self.log.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the worker's whole process group (the CLI, Celery and its pool)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


def write_config(path: Path) -> Path:
    """The workers' `-y` file: the executor's own config, from the settings.

    dagster-celery reads it under `execution.config` (anything else is silently ignored, and the
    workers would run without `task_acks_late`: a killed worker's step would be lost).
    """
    path.write_text(yaml.safe_dump({"execution": {"config": celery_config()}}))
    return path


def start(
    count: int,
    location_dir: Path,
    run_dir: Path,
    prefix: str = "w",
    env: Mapping[str, str] | None = None,
) -> list[Worker]:
    """Start `count` workers named `<prefix>1..N` for the location at `location_dir`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    config = write_config(run_dir / "celery.yaml")
    bin_dir = location_dir / ".venv" / "bin"
    queue = get_settings().celery_queue
    environ = dict(env if env is not None else os.environ)
    # the CLI starts `celery` from PATH: the location's own
    environ["PATH"] = f"{bin_dir}{os.pathsep}{environ.get('PATH', '')}"
    workers = []
    for i in range(1, count + 1):
        name = f"{prefix}{i}"
        log = run_dir / f"{name}.log"
        command = [
            str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
            "-y", str(config), "-n", name, "-q", queue, "--", "--concurrency", "1",
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=location_dir,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers.append(Worker(name, process, log))
    return workers


def wait_ready(workers: Sequence[Worker], timeout: float = 120.0) -> None:
    """Block until every worker consumes from its queue; raise if one exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not all(w.is_ready() for w in workers):
        for worker in workers:
            if worker.process.poll() is not None:
                tail = worker.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(
                    f"worker {worker.name} exited ({worker.process.returncode}):\n{tail}"
                )
        if time.monotonic() > deadline:
            raise TimeoutError(f"workers not ready after {timeout:.0f} s")
        time.sleep(0.2)


def stop(workers: Sequence[Worker], timeout: float = 20.0) -> None:
    """Warm shutdown (SIGTERM: finish the current step), then SIGKILL what is left."""
    for worker in workers:
        worker.kill(signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill(signal.SIGKILL)
            worker.process.wait(timeout=timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workers, say when each is ready, and stop them all on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2, help="how many workers")
    parser.add_argument("--location", default="analytics", help="the code location they serve")
    args = parser.parse_args(argv)
    root = find_repo_root()
    location_dir = root / "projects" / args.location
    if args.count < 1 or not (location_dir / ".venv" / "bin" / "dagster-celery").exists():
        print(f"workers: need N >= 1 and a location with dagster-celery installed: {location_dir}")
        return 2
    settings = get_settings()
    run_dir = settings.data_dir / "workers" / args.location
    print(
        f"Starting {args.count} Celery worker(s) for {args.location} on queue "
        f"{settings.celery_queue!r} via {settings.celery_broker_url} (logs: {run_dir})"
    )
    workers = start(args.count, location_dir, run_dir, prefix=f"{args.location}-")
    try:
        wait_ready(workers)
        for worker in workers:
            print(f"  ready: {worker.hostname} (pid {worker.process.pid}, log {worker.log})")
        print("Workers running; Ctrl-C stops them.")
        while all(w.process.poll() is None for w in workers):
            time.sleep(1)
        print("A worker exited; stopping the others.")
        return 1
    except KeyboardInterrupt:
        print("Stopping the workers (each finishes its current step)...")
        return 0
    finally:
        stop(workers)


if __name__ == "__main__":
    sys.exit(main())
