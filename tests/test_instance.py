"""The Dagster instance: SQLite under DAGSTER_HOME by default, Postgres when configured."""

import sqlite3
from contextlib import closing

import dagster as dg
import psycopg
import yaml

from fernway_devtools.instance import write_instance
from tests.conftest import ROOT


@dg.op
def touch() -> int:
    return 1


@dg.job
def probe_job() -> None:
    touch()


def test_default_instance_uses_sqlite_under_dagster_home(tmp_path):
    target = write_instance(tmp_path, ROOT / "dagster.yaml", postgres=False)
    assert "storage" not in yaml.safe_load(target.read_text())
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        result = probe_job.execute_in_process(instance=instance)
        assert result.success
        assert [run.run_id for run in instance.get_runs()] == [result.run_id]
    # Dagster's SQLite storages: runs, the event log (an index plus one file per run), schedules
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.db")) == [
        "history/runs.db",
        f"history/runs/{result.run_id}.db",
        "history/runs/index.db",
        "schedules/schedules.db",
    ]
    runs = _rows(tmp_path / "history" / "runs.db", "select run_id, pipeline_name, status from runs")
    assert runs == [(result.run_id, "probe_job", "SUCCESS")]
    events = _rows(
        tmp_path / "history" / "runs" / f"{result.run_id}.db",
        "select dagster_event_type from event_logs where dagster_event_type like 'PIPELINE_%' "
        "order by id",
    )
    assert events == [("PIPELINE_START",), ("PIPELINE_SUCCESS",)]


def _rows(path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql).fetchall()


def test_postgres_instance_storage_records_runs_in_postgres(
    tmp_path, scratch_database, monkeypatch
):
    monkeypatch.setenv("FERNWAY_DAGSTER_STORAGE_URL", scratch_database)
    write_instance(tmp_path, ROOT / "dagster.yaml", postgres=True)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        result = probe_job.execute_in_process(instance=instance)
        assert result.success
    with psycopg.connect(scratch_database) as con:
        rows = con.execute("select run_id, status from runs").fetchall()
    assert rows == [(result.run_id, "SUCCESS")]
    assert not list(tmp_path.rglob("*.db")), "nothing may fall back to SQLite"
