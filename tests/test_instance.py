"""The Dagster instance: SQLite under DAGSTER_HOME by default, Postgres when configured."""

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
        assert probe_job.execute_in_process(instance=instance).success
        assert len(instance.get_runs()) == 1
    assert (tmp_path / "history" / "runs.db").exists() or any(tmp_path.rglob("*.db"))


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
