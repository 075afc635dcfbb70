"""The warehouse writer lock: one holder across processes, released by the kernel on death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

from fernway_core import warehouse as warehouse_module
from fernway_core.duckdb_lock import WarehouseLockTimeout, lock_path, writer_lock
from fernway_core.warehouse import Warehouse

HOLD_WRITER_LOCK = textwrap.dedent(
    """
    import sys, time
    from fernway_core.duckdb_lock import writer_lock
    with writer_lock(sys.argv[1], 5):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)
# Dies with SIGKILL inside an open transaction of the writer slot, after its insert.
DIE_IN_TRANSACTION = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow as pa
    from fernway_core.warehouse import Warehouse

    original = Warehouse._insert

    def insert_then_wait(self, con, table, data):
        original(self, con, table, data)
        print("inserted", flush=True)
        sys.stdin.readline()

    Warehouse._insert = insert_then_wait
    Warehouse(url=sys.argv[1]).replace_rows("raw.t", pa.table({"id": list(range(1000))}))
    """
)
WRITE_ONE_ROW = textwrap.dedent(
    """
    import sys, time
    import pyarrow as pa
    from fernway_core.warehouse import Warehouse
    print("writing", flush=True)
    Warehouse(url=sys.argv[1], lock_timeout_s=30).replace_rows("raw.t", pa.table({"id": [7]}))
    print(f"done {time.time()}", flush=True)
    """
)
# What dbt does: open the file once, and fail at once if another process holds it.
OPEN_LIKE_DBT = "import sys, duckdb; duckdb.connect(sys.argv[1]).close()"
HOLD_DUCKDB_FILE = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def spawn(script: str, *args: str, stdin: bool = False) -> subprocess.Popen:
    """A Python child running `script`, with line-buffered text pipes."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if stdin else None,
        text=True,
    )


def expect(child: subprocess.Popen, line: str) -> None:
    """Wait for the child to print `line` (first word)."""
    assert child.stdout is not None
    assert child.stdout.readline().split()[:1] == [line]


def test_lock_of_a_sigkilled_holder_is_acquired_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    child = spawn(HOLD_WRITER_LOCK, path, "300")
    try:
        expect(child, "held")
        with (
            pytest.raises(
                WarehouseLockTimeout, match=rf"held by another process \(PID {child.pid}\)"
            ),
            writer_lock(path, 0.3),
        ):
            pass
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        started = time.monotonic()
        with writer_lock(path, 5):
            acquired = time.monotonic() - started
    finally:
        child.kill()
        child.wait(timeout=30)
    assert acquired < 0.5
    assert lock_path(path) == tmp_path / "w.duckdb.lock"


def test_writer_killed_inside_its_transaction_frees_the_warehouse_at_once(
    tmp_path: Path,
) -> None:
    url = f"duckdb://{tmp_path / 'w.duckdb'}"
    Warehouse(url=url).replace_rows("raw.t", pa.table({"id": [1, 2, 3]}))
    child = spawn(DIE_IN_TRANSACTION, url, stdin=True)
    try:
        expect(child, "inserted")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        started = time.monotonic()
        Warehouse(url=url, lock_timeout_s=5).replace_rows("raw.u", pa.table({"id": [9]}))
        took = time.monotonic() - started
    finally:
        child.kill()
        child.wait(timeout=30)
    assert took < 2.0
    result = Warehouse(url=url).query_arrow("select id from raw.t order by id")
    assert result.column("id").to_pylist() == [1, 2, 3]


def test_lock_is_reentrant_in_a_process_and_serialises_its_threads(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    entered: list[float] = []

    def other_thread() -> None:
        with writer_lock(path, 10):
            entered.append(time.monotonic())

    with writer_lock(path, 1), writer_lock(path, 1):  # nested: no self-deadlock
        thread = threading.Thread(target=other_thread)
        thread.start()
        time.sleep(0.5)
        assert not entered, "another thread entered while this one held the lock"
        released = time.monotonic()
    thread.join(timeout=10)
    assert entered
    assert entered[0] >= released


def test_a_forked_child_does_not_keep_the_parents_lock(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    with writer_lock(path, 1):
        pid = os.fork()
        if pid == 0:  # the child lives on after the parent released the lock
            time.sleep(3)
            os._exit(0)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", HOLD_WRITER_LOCK, path, "0"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "held"


def test_writers_wait_for_the_slot_and_a_subprocess_opens_the_file_inside_it(
    tmp_path: Path,
) -> None:
    """What the dbt assets rely on: nobody takes DuckDB's lock from dbt while it runs."""
    path = tmp_path / "w.duckdb"
    url = f"duckdb://{path}"
    warehouse = Warehouse(url=url)
    with warehouse.writer_slot():
        writer = spawn(WRITE_ONE_ROW, url)
        expect(writer, "writing")
        time.sleep(1.0)  # the writer is now waiting for the slot
        opened = subprocess.run([sys.executable, "-c", OPEN_LIKE_DBT, str(path)], timeout=60)
        released = time.time()
    assert opened.returncode == 0, "a writer took DuckDB's lock while the slot was held"
    assert writer.stdout is not None
    done = writer.stdout.readline().split()
    assert writer.wait(timeout=60) == 0
    assert done[0] == "done"
    assert float(done[1]) >= released
    assert warehouse.query_arrow("select id from raw.t").column("id").to_pylist() == [7]


def test_slot_waits_out_duckdbs_own_lock_held_by_a_process_outside_the_slot(
    tmp_path: Path,
) -> None:
    """An orphaned dbt from a killed run holds DuckDB's lock, not ours: the slot waits for it."""
    path = tmp_path / "w.duckdb"
    holder = spawn(HOLD_DUCKDB_FILE, str(path), "1.5")
    try:
        expect(holder, "locked")
        started = time.monotonic()
        with Warehouse(url=f"duckdb://{path}", lock_timeout_s=30).writer_slot():
            waited = time.monotonic() - started
            opened = subprocess.run([sys.executable, "-c", OPEN_LIKE_DBT, str(path)], timeout=60)
    finally:
        holder.wait(timeout=30)
    assert waited > 1.0
    assert opened.returncode == 0


def test_postgres_never_takes_the_duckdb_lock(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a Postgres warehouse took the DuckDB writer lock")

    monkeypatch.setattr(warehouse_module, "writer_lock", refuse)
    monkeypatch.setattr(warehouse_module, "connect_waiting", refuse)
    warehouse = Warehouse(url=postgres_url)
    with warehouse.writer_slot():
        assert warehouse.query_arrow("select 1 as one").column("one").to_pylist() == [1]
