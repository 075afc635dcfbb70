"""DuckDB across processes: a writer waits out another process's lock; a killed writer leaves
no partial rows."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pytest

from fernway_core.warehouse import Warehouse, WarehouseLockTimeout

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("create table if not exists held (a integer)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)
DIE_BEFORE_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow as pa
    from fernway_core.warehouse import Warehouse

    original = Warehouse._insert

    def insert_then_die(self, con, table, data):
        original(self, con, table, data)
        os.kill(os.getpid(), signal.SIGKILL)

    Warehouse._insert = insert_then_die
    Warehouse(url=sys.argv[1]).replace_rows("raw.t", pa.table({"id": list(range(50_000))}))
    """
)


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """A child process that holds the DuckDB file's write lock for `seconds`."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_writer_waits_for_another_process_lock_then_succeeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "w.duckdb"
    child = hold_lock(path, 2.0)
    started = time.monotonic()
    try:
        with caplog.at_level(logging.INFO):
            written = Warehouse(url=f"duckdb://{path}", lock_timeout_s=30).replace_rows(
                "raw.t", pa.table({"id": [1, 2]})
            )
        waited = time.monotonic() - started
    finally:
        child.wait(timeout=30)
    assert written == 2
    assert waited > 1.0
    assert "is locked by another process; waiting" in caplog.text
    assert "waited" in caplog.text
    result = Warehouse(url=f"duckdb://{path}").query_arrow("select id from raw.t order by id")
    assert result.column("id").to_pylist() == [1, 2]


def test_lock_wait_gives_up_only_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    child = hold_lock(path, 3.0)
    started = time.monotonic()
    try:
        with pytest.raises(WarehouseLockTimeout, match=r"stayed locked by another process \(PID"):
            Warehouse(url=f"duckdb://{path}", lock_timeout_s=0.8).execute("select 1")
        waited = time.monotonic() - started
    finally:
        child.kill()
        child.wait(timeout=30)
    assert 0.8 <= waited < 2.5


def test_killed_writer_leaves_no_partial_rows(tmp_path: Path) -> None:
    url = f"duckdb://{tmp_path / 'w.duckdb'}"
    Warehouse(url=url).replace_rows("raw.t", pa.table({"id": [1, 2, 3]}))
    child = subprocess.run([sys.executable, "-c", DIE_BEFORE_COMMIT, url], timeout=60)
    assert child.returncode == -9
    result = Warehouse(url=url).query_arrow("select id from raw.t order by id")
    assert result.column("id").to_pylist() == [1, 2, 3]
