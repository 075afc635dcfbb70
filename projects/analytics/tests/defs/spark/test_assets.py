"""big_orders through a Spark Connect server equals big_orders on the local session."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa

from fernway_core.duckdb_lock import writer_lock
from fernway_core.warehouse import Warehouse
from fernway_devtools.materialize import run_op_job_sensors, run_plan
from fernway_devtools.plan import plan_runs
from tests.conftest import DAYS, START
from tests.defs.spark.conftest import ConnectServer
from tests.defs.spark.materialize_big_orders import BIG_ORDERS, PREFIX
from tests.test_pipeline import big_orders, expected_big_orders

PROJECT = Path(__file__).resolve().parents[3]
RUN_TIMEOUT_S = 300.0


def build_upstream(defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
    """Everything big_orders reads, built as the pipeline test builds it (big_orders not).

    That is the whole dbt project and its sources: a dbt run of some models also runs the tests
    on them, and those read other marts (relationships, reconciliations).
    """
    graph = defs.resolve_asset_graph()
    needed = dg.AssetSelection.assets(BIG_ORDERS) | dg.AssetSelection.groups("transform")
    upstream = needed.upstream().resolve(graph) - {BIG_ORDERS}
    reports = run_op_job_sensors(defs, instance)
    end = START + dt.timedelta(days=DAYS)
    reports += run_plan(defs, plan_runs(defs, START, end, upstream.__contains__), instance)
    assert reports
    assert all(r["success"] for r in reports), reports
    assert {a for r in reports for a in r["materialized"]} >= {k.to_user_string() for k in upstream}


def wait_for(text: str, output: Path, proc: subprocess.Popen[bytes]) -> None:
    """Block until `text` appears in the process's output (fail if it exits or never does)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while text not in output.read_text(errors="replace"):
        said = output.read_text(errors="replace")[-4000:]
        assert proc.poll() is None, f"exited before {text!r}:\n{said}"
        assert time.monotonic() < deadline, f"no {text!r} in {RUN_TIMEOUT_S:.0f} s:\n{said}"
        time.sleep(0.1)


def materialize_elsewhere(
    warehouse: Warehouse, output: Path, remote: str | None = None
) -> dict[str, Any]:
    """Materialize big_orders in a fresh process (Spark Connect at `remote`, else local Spark)
    while this process holds the warehouse's writer lock until the run says it waits for it.
    Returns the materialization's metadata."""
    env = {k: v for k, v in os.environ.items() if k != "FERNWAY_SPARK_REMOTE"}
    if remote:
        env["FERNWAY_SPARK_REMOTE"] = remote
    command = [sys.executable, "-m", "tests.defs.spark.materialize_big_orders"]
    with output.open("wb") as sink:
        with writer_lock(warehouse.duckdb_path, RUN_TIMEOUT_S):
            proc = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=sink, stderr=sink)
            wait_for(f"is held by PID {os.getpid()}; waiting", output, proc)
        code = proc.wait(timeout=RUN_TIMEOUT_S)
    text = output.read_text(errors="replace")
    assert code == 0, text[-6000:]
    # the asset's own step waited for the lock, then went on once it was free
    waits = [line for line in text.splitlines() if "for the warehouse writer lock" in line]
    assert any(" - analytics__big_orders - waited " in line for line in waits), waits
    [line] = [line for line in text.splitlines() if line.startswith(PREFIX)]
    return json.loads(line.removeprefix(PREFIX))


def table(warehouse: Warehouse) -> pa.Table:
    """analytics.big_orders, every column, in a total order."""
    return warehouse.query_arrow(
        "select * from analytics.big_orders order by city_id, net_amount desc, order_id"
    )


def test_big_orders_through_spark_connect_equal_the_local_session(
    clean_sandbox,
    defs,
    instance,
    warehouse,
    tmp_path: Path,
    spark_connect_server: ConnectServer,
):
    build_upstream(defs, instance)

    local = materialize_elsewhere(warehouse, tmp_path / "local.log")
    local_rows = table(warehouse)
    assert big_orders(warehouse) == expected_big_orders(warehouse)
    remote = materialize_elsewhere(warehouse, tmp_path / "connect.log", spark_connect_server.url)
    remote_rows = table(warehouse)

    assert remote_rows.num_rows > 0
    assert remote_rows.equals(local_rows), "Spark Connect and local Spark disagree"
    assert remote_rows.schema.equals(local_rows.schema)
    assert local["spark_engine"] == "local"
    assert local["spark_url"] == "local[2]"
    assert remote["spark_engine"] == "connect"
    assert remote["spark_url"] == spark_connect_server.url
    # the server itself saw the asset's session
    assert f"sessionId: {remote['spark_session_id']}" in spark_connect_server.log_text()
    assert remote["dagster/row_count"] == local["dagster/row_count"] == remote_rows.num_rows
