"""A run SIGKILLed while it holds the warehouse never blocks the next one (the real CLI).

Every run is `dagster asset materialize --partition-range` on an instance rendered from the
repo's dagster.yaml, as in the issue. A `sitecustomize` on the runs' PYTHONPATH makes the step
process stop at one instant and write its pid to a file; the test SIGKILLs the run there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fernway_devtools.instance import write_instance
from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import DAYS, START

ROOT = Path(__file__).resolve().parents[3]
DAGSTER = Path(sys.executable).with_name("dagster")
RANGE = f"{START}...{START.fromordinal(START.toordinal() + DAYS - 1)}"
RERUN_LIMIT_S = 240

# Acts in the process that runs the step, in runs that ask for it: the run's own process on the
# in-process executor (the default on DuckDB), its step processes on the multiprocess one.
PAUSE_HOOK = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    AT, FLAG = os.environ.get("FERNWAY_TEST_PAUSE_AT"), os.environ.get("FERNWAY_TEST_PAUSE_FLAG")
    STEP_PROCESSES = os.environ.get("FERNWAY_EXECUTOR") == "multiprocess"
    if AT and (not STEP_PROCESSES or "--multiprocessing-fork" in sys.orig_argv):
        from fernway_core.http import HttpClient
        from fernway_core.warehouse import Warehouse

        def pause():
            Path(FLAG).write_text(str(os.getpid()))
            for _ in range(6000):  # at most 10 minutes, or until the test releases it
                if Path(FLAG + ".release").exists():
                    return
                time.sleep(0.1)

        def wrap(cls, name, hold):
            original = getattr(cls, name)

            def wrapper(self, *args, **kwargs):
                result = original(self, *args, **kwargs)
                hold(self)
                return result

            setattr(cls, name, wrapper)

        if AT == "fetch":  # waiting for the API (the old pool slot was held here)
            original_fetch = HttpClient.fetch_all
            HttpClient.fetch_all = lambda self, *a, **k: (pause(), original_fetch(self, *a, **k))[1]
        elif AT == "write":  # rows inserted, transaction open: in the writer slot
            wrap(Warehouse, "_insert", lambda self: pause())
        elif AT == "committed":  # the write committed, still in the writer slot
            def hold(self):
                with self.connection():
                    pause()

            wrap(Warehouse, "replace_many", hold)
    """
)


@dataclass
class Runs:
    """Starts CLI runs of `raw/marketplace_orders` and kills whatever is left at teardown."""

    env: dict[str, str]
    log: Path
    sandbox: Any
    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, **extra: str) -> subprocess.Popen:
        """One run over every partition, in its own process group, logging to `log`."""
        command = [
            str(DAGSTER), "asset", "materialize", "-m", "fernway_analytics.definitions",
            "--select", "raw/marketplace_orders", "--partition-range", RANGE,
        ]  # fmt: skip
        with self.log.open("a") as out:
            run = subprocess.Popen(
                command,
                cwd=ROOT / "projects" / "analytics",
                env={**self.env, **extra},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(run)
        return run

    def paused(self, at: str, flag: Path, **extra: str) -> tuple[subprocess.Popen, int]:
        """A run whose step stopped at instant `at`, and the pid of the process running it."""
        run = self.start(FERNWAY_TEST_PAUSE_AT=at, FERNWAY_TEST_PAUSE_FLAG=str(flag), **extra)
        deadline = time.monotonic() + 240
        while not (flag.exists() and flag.read_text()):
            assert run.poll() is None, f"the run exited ({run.returncode}) before pausing"
            assert time.monotonic() < deadline, f"the run never reached {at}"
            time.sleep(0.1)
        return run, int(flag.read_text())


@pytest.fixture
def runs(
    tmp_path: Path, sandbox_factory, monkeypatch: pytest.MonkeyPatch, platform_env: Path
) -> Iterator[Runs]:
    """The sandbox wired in, a DAGSTER_HOME from the repo's dagster.yaml, the pause hook."""
    sandbox = sandbox_factory(scale=3000, start=START, days=DAYS)
    use_sandbox(monkeypatch, sandbox)
    home = tmp_path / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=False)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(PAUSE_HOOK)
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(hooks)}
    runs = Runs(env=env, log=tmp_path / "runs.log", sandbox=sandbox)
    yield runs
    for run in runs.started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)


def holds_writer_lock(pid: int, warehouse_file: str) -> bool:
    """Whether process `pid` holds the flock on the warehouse's lock file (per /proc/locks)."""
    lock_file = Path(f"{warehouse_file}.lock")
    if not lock_file.exists():
        return False
    inode = f":{lock_file.stat().st_ino}"
    for line in Path("/proc/locks").read_text().splitlines():
        kind, _, _, holder, device = line.split()[1:6]
        if kind == "FLOCK" and holder == str(pid) and device.endswith(inode):
            return True
    return False


def counts(warehouse) -> dict[str, int]:
    """Orders per day in the warehouse (empty before the first committed write)."""
    if not warehouse.table_exists("raw.marketplace_orders"):
        return {}
    rows = warehouse.query_arrow(
        "select cast(order_date as varchar) as day, count(*) as n "
        "from raw.marketplace_orders group by 1"
    ).to_pylist()
    return {r["day"]: r["n"] for r in rows}


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads /proc/locks (Linux)")
def test_run_killed_while_holding_the_warehouse_never_blocks_the_next_run(
    runs: Runs, warehouse, tmp_path: Path
) -> None:
    by_day = runs.sandbox.truth["marketplace"]["orders"]["by_day"]
    truth = {day: value["count"] for day, value in by_day.items() if value["count"]}

    # The whole run dies (its process group: a reboot, an OOM-killed container); on DuckDB its
    # step runs in the run's own process (the in-process executor).
    for at in ("fetch", "write", "committed"):
        run, step = runs.paused(at, tmp_path / f"paused-{at}")
        assert holds_writer_lock(step, warehouse.duckdb_path) == (at != "fetch")
        os.killpg(run.pid, signal.SIGKILL)
        assert run.wait(timeout=60) == -signal.SIGKILL
        assert counts(warehouse) in ({}, truth), f"killed at {at}: all days or none"

    # Only `dagster asset materialize` dies (the kill -9) on the multiprocess executor:
    # its step process lives on mid-write, in the slot. The next run waits for it (logged), then
    # completes.
    flag = tmp_path / "paused-orphan"
    run, orphan = runs.paused("write", flag, FERNWAY_EXECUTOR="multiprocess")
    assert orphan != run.pid
    os.kill(run.pid, signal.SIGKILL)
    assert run.wait(timeout=60) == -signal.SIGKILL
    assert holds_writer_lock(orphan, warehouse.duckdb_path)
    started = time.monotonic()
    rerun = runs.start()
    waiting = f"is held by PID {orphan}; waiting"
    while waiting not in runs.log.read_text():
        assert rerun.poll() is None, runs.log.read_text()[-3000:]
        assert time.monotonic() - started < RERUN_LIMIT_S, "the rerun never reached the slot"
        time.sleep(0.2)
    Path(f"{flag}.release").touch()  # the orphan commits and exits
    assert rerun.wait(timeout=RERUN_LIMIT_S) == 0, runs.log.read_text()[-3000:]
    assert time.monotonic() - started < RERUN_LIMIT_S
    assert counts(warehouse) == truth
