"""A warehouse writer in another process, stopped at chosen statements so a test can SIGKILL it.

Run as a script, this module imports fernway_core once (seconds on a loaded machine), then
forks one writer per job read from stdin: a real `Warehouse.replace_many` per partition, in a
process the test kills. The writer's `Warehouse` is a subclass whose `_run`/`_insert` stop at a
`pause` point and whose connection reports the transaction's end, so production code carries no
hook. The writer reports on stdout, one event per line:

    ready                   the server imported everything (once)
    started <pid>           a writer is about to write
    paused <point>          it stopped at <point> and waits to be killed (PAUSE_POINTS)
    commit                  it is about to commit a transaction
    committed <wal bytes>   the commit returned (DuckDB: size of the WAL file then)
    closed                  the connection closed (DuckDB: after the checkpoint on close)
    done <seconds>          every partition written
    exit <code>             the writer ended (negative: killed by that signal)

The data of a write is a pure function of (day, generation, shape), so a test can tell from the
rows which write a partition holds, and whether both tables hold the same one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg  # imported by the server, not by each writer's first connection
import pyarrow as pa

from fernway_core import postgres
from fernway_core import warehouse as warehouse_module
from fernway_core.rejects import REJECTS_SCHEMA
from fernway_core.warehouse import Replacement, Warehouse

PAUSE_POINTS = (
    "after_delete",  # the first table's rows deleted, the insert of its new rows not begun
    "between_tables",  # the first table replaced, the second table's delete not yet run
    "before_commit",  # every statement done, COMMIT not yet sent
)
PAUSE_LIMIT_S = 120  # a paused writer nobody kills (the test died) gives up


@dataclass(frozen=True)
class Shape:
    """How big a partition is: `rows` orders (None: 20-30, varying by day and generation)."""

    rows: int | None = None
    width: int = 16  # characters of filler in each order's note


SMALL = Shape()


def orders(day: dt.date, gen: int, shape: Shape) -> pa.Table:
    """Generation `gen` of one day's orders, sorted by `order_id`."""
    n = shape.rows if shape.rows is not None else 20 + (gen * 7 + day.toordinal()) % 11
    return pa.table(
        {
            "order_id": pa.array([f"{day:%Y%m%d}-{i:06d}" for i in range(n)], pa.string()),
            "order_date": pa.array([day] * n, pa.date32()),
            "amount_cents": pa.array(
                [(i * 37 + gen * 101) % 100_000 for i in range(n)], pa.int64()
            ),
            "note": pa.array([f"g{gen:05d}-{'x' * shape.width}"] * n, pa.string()),
            "generation": pa.array([gen] * n, pa.int32()),
        }
    )


def rejects(day: dt.date, gen: int) -> pa.Table:
    """Generation `gen` of one day's rejects (the `raw.rejects` columns), sorted by key."""
    n = 2 + (gen + day.day) % 4
    columns = {
        "source": ["marketplace"] * n,
        "entity": ["orders"] * n,
        "record_key": [f"bad-{day:%Y%m%d}-{i:03d}" for i in range(n)],
        "reason": ["negative_amount"] * n,
        "field": ["amount"] * n,
        "value": [f"-{gen}.{i:02d}" for i in range(n)],
        "payload": [json.dumps({"generation": gen, "i": i}) for i in range(n)],
        "partition_key": [day.isoformat()] * n,
    }
    table = pa.table(columns, schema=REJECTS_SCHEMA)
    return table.append_column("generation", pa.array([gen] * n, pa.int32()))


def replacements(schema: str, day: dt.date, gen: int, shape: Shape) -> list[Replacement]:
    """One partition's write, as a run does it: its orders, then its rejects."""
    return [
        Replacement(f"{schema}.orders", orders(day, gen, shape), "order_date = ?", [day]),
        Replacement(f"{schema}.rejects", rejects(day, gen), "partition_key = ?", [day.isoformat()]),
    ]


@dataclass(frozen=True)
class Job:
    """One write: every day in `days` (one `replace_many` each), generation `gen`."""

    url: str
    schema: str
    days: list[str]
    gen: int
    shape: Shape = SMALL
    pause: str | None = None
    pg_settings: dict[str, str] = field(default_factory=dict)  # set on each connection


# ---- the writer (runs in the forked child) -------------------------------------------------


def _say(line: str) -> None:
    os.write(1, f"{line}\n".encode())  # unbuffered: a killed writer loses nothing it said


def _pause(point: str) -> None:
    _say(f"paused {point}")
    deadline = time.monotonic() + PAUSE_LIMIT_S
    while time.monotonic() < deadline:
        time.sleep(0.5)
    os._exit(3)


def _writer_class(job: Job) -> type[Warehouse]:
    deletes = 0

    class PausingWarehouse(Warehouse):
        """`Warehouse` that stops at `job.pause`, the first time the writer gets there."""

        def _run(self, con: Any, sql: str, params: Any = None) -> Any:
            nonlocal deletes
            if sql.startswith("delete from"):
                deletes += 1
                if job.pause == "between_tables" and deletes == 2:
                    _pause(job.pause)
            return super()._run(con, sql, params)

        def _insert(self, con: Any, table: str, data: pa.Table) -> None:
            if job.pause == "after_delete":  # the delete is the statement just before
                _pause(job.pause)
            super()._insert(con, table, data)

    return PausingWarehouse


class _WatchedDuckDB:
    """A DuckDB connection that reports its commit and close."""

    def __init__(self, con: Any, path: str, pause: str | None) -> None:
        self._con, self._wal, self._pause = con, Path(f"{path}.wal"), pause

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def commit(self) -> None:
        if self._pause == "before_commit":
            _pause(self._pause)
        _say("commit")
        self._con.commit()
        _say(f"committed {self._wal.stat().st_size if self._wal.exists() else 0}")

    def close(self) -> None:
        self._con.close()
        _say("closed")


def _watch_connections(job: Job) -> None:
    """Patch this (forked) process's connection factories to report commit and close."""
    connect_duckdb, connect_postgres = warehouse_module.connect_waiting, postgres.connect

    def duckdb_connection(path: str, timeout_s: float) -> Any:
        return _WatchedDuckDB(connect_duckdb(path, timeout_s), path, job.pause)

    def postgres_connection(url: str) -> psycopg.Connection:
        conn = connect_postgres(url)
        for name, value in job.pg_settings.items():
            conn.execute("select set_config(%s, %s, false)", [name, value])
        commit, close = conn.commit, conn.close

        def watched_commit() -> None:
            if job.pause == "before_commit":
                _pause(job.pause)
            _say("commit")
            commit()
            _say("committed 0")

        def watched_close() -> None:
            close()
            _say("closed")

        conn.commit, conn.close = watched_commit, watched_close
        return conn

    warehouse_module.connect_waiting = duckdb_connection
    postgres.connect = postgres_connection


def _write(job: Job) -> None:
    _watch_connections(job)
    writer = _writer_class(job)(url=job.url)
    days = [dt.date.fromisoformat(day) for day in job.days]
    _say(f"started {os.getpid()}")
    started = time.monotonic()
    for day in days:
        writer.replace_many(replacements(job.schema, day, job.gen, job.shape))
    _say(f"done {time.monotonic() - started:.3f}")


def serve() -> None:
    """Fork a writer per job line on stdin, report its events and its exit code."""
    _say("ready")
    for line in iter(sys.stdin.readline, ""):
        raw = json.loads(line)
        job = Job(**{**raw, "shape": Shape(**raw["shape"])})
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _write(job)
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        _say(f"exit {os.waitstatus_to_exitcode(status)}")


# ---- the test's side -----------------------------------------------------------------------


class WriterServer:
    """The parent's handle on the server: start jobs, wait for events, SIGKILL writers."""

    def __init__(self, log: Path) -> None:
        self.log = log
        with log.open("w") as err:
            self._proc = subprocess.Popen(
                [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=err,
            )  # fmt: skip
        self._buffer = b""
        self.writer: int | None = None  # pid of the running writer
        self.expect("ready", timeout=180)

    def start(self, job: Job) -> None:
        """Fork a writer for `job`; returns once it is about to write."""
        assert self.writer is None, "one writer at a time: kill or wait for the last one"
        assert self._proc.stdin is not None
        self._proc.stdin.write((json.dumps(asdict(job)) + "\n").encode())
        self._proc.stdin.flush()
        self.writer = int(self.expect("started").split()[1])

    def expect(self, prefix: str, timeout: float = 120) -> str:
        """The next event starting with `prefix` (events before it are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(deadline - time.monotonic())
            if line is None:
                raise AssertionError(f"no {prefix!r} within {timeout}s\n{self.stderr()}")
            if line.startswith(prefix):
                return line
            if line.startswith("exit"):
                raise AssertionError(f"writer ended ({line}) before {prefix!r}\n{self.stderr()}")

    def next_line(self, timeout: float) -> str | None:
        """The next event, or None when none comes within `timeout` seconds."""
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"the writer server died\n{self.stderr()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def kill(self) -> tuple[int, list[str]]:
        """SIGKILL the writer (if it has not ended); its exit code and its remaining events."""
        assert self.writer is not None
        with contextlib.suppress(ProcessLookupError):  # it ended and the server reaped it
            os.kill(self.writer, signal.SIGKILL)
        return self.wait()

    def wait(self, timeout: float = 120) -> tuple[int, list[str]]:
        """Wait for the writer to end: its exit code and its remaining events."""
        events: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(deadline - time.monotonic())
            if line is None:
                raise AssertionError(f"the writer did not end within {timeout}s")
            if line.startswith("exit"):
                self.writer = None
                return int(line.split()[1]), events
            events.append(line)

    def reset(self) -> None:
        """Kill a writer a failed test left running, so the next job starts at once."""
        if self.writer is not None:
            self.kill()

    def stderr(self) -> str:
        """The tail of what the server and its writers wrote to stderr."""
        return self.log.read_text()[-4000:]

    def close(self) -> None:
        """Kill a writer still running, then let the server end."""
        if self.writer is not None:
            os.kill(self.writer, signal.SIGKILL)
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=60)


if __name__ == "__main__":
    serve()
