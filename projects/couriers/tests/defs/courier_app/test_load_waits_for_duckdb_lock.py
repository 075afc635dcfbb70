"""The dlt load of the courier app waits out an analyst's DuckDB shell holding the warehouse."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

import pytest

from fernway_core.warehouse import Warehouse
from tests.defs.courier_app.conftest import courier_warehouse, load

HOLD_S = 3.0


def test_load_waits_for_a_shell_holding_the_warehouse_and_logs_it(
    courier_app_sandbox, app_defs, instance, duckdb_shells, caplog: pytest.LogCaptureFixture
) -> None:
    path = courier_warehouse().duckdb_path
    Warehouse(url=f"duckdb://{path}").execute("select 1")  # the file exists before the shell
    shell = duckdb_shells.hold(path, "until-told")
    waiting = f"DuckDB file {path} is locked by another process; waiting"
    results: list[Any] = []
    caplog.set_level(logging.INFO)
    run = threading.Thread(target=lambda: results.append(load(app_defs, instance, checks=False)))
    run.start()
    deadline = time.monotonic() + 600
    while waiting not in caplog.text:
        assert run.is_alive(), "the load ended without waiting for the shell"
        assert time.monotonic() < deadline, "the load never reached the warehouse"
        time.sleep(0.2)
    time.sleep(HOLD_S)
    assert run.is_alive(), "the load went on while the shell held the file"
    shell.communicate("\n", timeout=30)
    run.join(timeout=600)
    (result,) = results
    assert result.success
    counted = courier_warehouse().query_arrow("select count(*) as n from courier_app.couriers")
    truth = courier_app_sandbox.truth["couriers"]["couriers"]["count"]
    assert counted.column("n").to_pylist() == [truth]


def test_load_gives_up_after_lock_timeout_with_one_clear_line(
    courier_app_sandbox, app_defs, instance, duckdb_shells
) -> None:
    path = courier_warehouse().duckdb_path
    Warehouse(url=f"duckdb://{path}").execute("select 1")
    duckdb_shells.hold(path, 120)
    result = load(
        app_defs,
        instance,
        checks=False,
        warehouse=Warehouse(url=f"duckdb://{path}", lock_timeout_s=1),
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    message = (error.cause or error).message.strip()
    assert message.startswith(f"fernway_core.duckdb_lock.WarehouseLockTimeout: DuckDB file {path}")
    assert re.search(
        r"stayed locked by another process \(PID \d+\) for [\d.]+s > lock_timeout_s=", message
    )
    assert "\n" not in message
