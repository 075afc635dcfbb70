"""dbt waits for the warehouse inside `dbt_environment` instead of failing on DuckDB's lock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import DBT, SHARED_PROFILES, probe_dbt_project

from fernway_core.dbt import dbt_env, dbt_environment
from fernway_core.warehouse import Warehouse

# Another writer: a Python step holding a connection (writer slot + DuckDB's file lock).
HOLD_CONNECTION = textwrap.dedent(
    """
    import sys, time
    from fernway_core.warehouse import Warehouse
    with Warehouse(url=sys.argv[1]).connection():
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def dbt_run(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`dbt run` of the probe project with the shared profile, as the dbt assets invoke it."""
    return subprocess.run(
        [str(DBT), "run", "--project-dir", str(project), "--profiles-dir", str(SHARED_PROFILES)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A one-model dbt project using the shared `fernway` profile."""
    return probe_dbt_project(tmp_path / "probe")


def hold_connection(url: str, seconds: float) -> subprocess.Popen:
    """A child process inside `Warehouse.connection()` for `seconds`."""
    command = [sys.executable, "-c", HOLD_CONNECTION, url, str(seconds)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "holding"
    return child


@pytest.mark.skipif(not DBT.exists(), reason="dbt is not installed in this environment")
def test_dbt_waits_for_another_writer_inside_dbt_environment(project: Path, tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"duckdb://{tmp_path / 'w.duckdb'}", lock_timeout_s=120)
    child = hold_connection(warehouse.url, 60)
    try:
        unguarded = dbt_run(project, dbt_env(warehouse))  # outside the slot: fails at once
    finally:
        child.kill()
        child.wait(timeout=30)
    assert unguarded.returncode != 0
    assert "Could not set lock on file" in unguarded.stdout + unguarded.stderr

    child = hold_connection(warehouse.url, 3)
    try:
        started = time.monotonic()
        with dbt_environment(warehouse):
            waited = time.monotonic() - started
            guarded = dbt_run(project, {})  # the environment dbt_environment exported
            metadata = warehouse.table_metadata("main.probe_one")  # re-enters the slot
    finally:
        child.wait(timeout=30)
    assert guarded.returncode == 0, guarded.stdout[-2000:]
    assert waited > 2.0
    assert metadata["dagster/row_count"] == 1


def test_runs_in_two_threads_each_keep_their_dbt_environment_until_their_dbt_ran() -> None:
    """A second thread's invocation waits; the first one restoring the environment on its way
    out never leaves the second without its connection (it would fall back to the default)."""
    first = Warehouse(url="postgresql://postgres@127.0.0.1:5432/first")
    second = Warehouse(url="postgresql://postgres@127.0.0.1:5432/second")
    seen: list[str | None] = []

    def later() -> None:
        with dbt_environment(second):
            seen.append(os.environ.get("FERNWAY_PG_DBNAME"))

    with dbt_environment(first):
        thread = threading.Thread(target=later)
        thread.start()
        thread.join(timeout=0.5)  # it would be done by now if it did not wait for us
        assert thread.is_alive()
        assert seen == []
    thread.join()
    assert seen == ["second"]
    assert "FERNWAY_PG_DBNAME" not in os.environ
