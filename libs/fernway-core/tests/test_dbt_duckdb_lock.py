"""dbt waits out DuckDB's lock held by a process outside the writer lock (an analyst's shell)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import DBT, SHARED_PROFILES, probe_dbt_project

from fernway_core.dbt import WaitingDbtCliResource, dbt_environment
from fernway_core.duckdb_lock import LOCK_MESSAGE, WarehouseLockTimeout
from fernway_core.warehouse import Warehouse
from fernway_devtools.pytest_plugin import DuckDBShells

HOLD_S = 3.0
pytestmark = pytest.mark.skipif(not DBT.exists(), reason="dbt is not installed here")


@pytest.fixture
def dbt(tmp_path: Path) -> WaitingDbtCliResource:
    """The platform's dbt resource over a one-model project using the shared profile."""
    root = probe_dbt_project(tmp_path / "probe")
    return WaitingDbtCliResource(
        project_dir=str(root), profiles_dir=str(SHARED_PROFILES), dbt_executable=str(DBT)
    )


def wait_for_lock_failure(project: Path, deadline_s: float) -> None:
    """Return once a dbt invocation of `project` has logged DuckDB's lock conflict."""
    deadline = time.monotonic() + deadline_s
    while not any(
        LOCK_MESSAGE in log.read_text(errors="replace") for log in project.glob("target/*/dbt.log")
    ):
        assert time.monotonic() < deadline, "dbt never ran into the foreign lock"
        time.sleep(0.2)


def test_dbt_waits_for_a_shell_holding_the_file_before_and_after_its_turn_began(
    dbt: WaitingDbtCliResource,
    duckdb_shells: DuckDBShells,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "w.duckdb"
    warehouse = Warehouse(url=f"duckdb://{path}", lock_timeout_s=300)
    caplog.set_level(logging.INFO)

    duckdb_shells.hold(path, HOLD_S)  # before dbt's turn: dbt_environment's probe waits
    started = time.monotonic()
    with dbt_environment(warehouse):
        entered = time.monotonic() - started
        # after the turn began, before dbt opened the file: dbt fails, waits, is rerun
        shell = duckdb_shells.hold(path, "until-told")
        done: list[Any] = []
        dbt_thread = threading.Thread(target=lambda: done.append(dbt.cli(["run"]).wait()))
        dbt_thread.start()
        wait_for_lock_failure(Path(dbt.project_dir), deadline_s=500)
        time.sleep(HOLD_S)  # the rerun waits for the shell
        assert dbt_thread.is_alive()
        released = time.monotonic()
        shell.communicate("\n", timeout=30)
        dbt_thread.join(timeout=500)
    (invocation,) = done
    assert released - started >= 2 * HOLD_S
    assert invocation.is_successful()
    assert entered >= HOLD_S - 0.5
    assert f"DuckDB file {path} is locked by another process; waiting" in caplog.text
    assert f"dbt failed on DuckDB's lock of {path}" in caplog.text
    rows = warehouse.query_arrow("select id from main.probe_one").column("id").to_pylist()
    assert rows == [1]


def test_dbt_gives_up_after_lock_timeout_with_one_clear_line(
    dbt: WaitingDbtCliResource, duckdb_shells: DuckDBShells, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    warehouse = Warehouse(url=f"duckdb://{path}", lock_timeout_s=1.0)
    with dbt_environment(warehouse):
        duckdb_shells.hold(path, 120)
        with pytest.raises(WarehouseLockTimeout) as raised:
            dbt.cli(["run"])
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"dbt could not open {path}: other processes kept DuckDB's lock")
    assert message.endswith("> lock_timeout_s=1")
