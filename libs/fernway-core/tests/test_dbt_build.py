"""`dbt_build`: dbt and the metadata reads inside the writer slot, Dagster's recording after it."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from conftest import DBT, SHARED_PROFILES, probe_dbt_project
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from fernway_core.dbt import dbt_build, dbt_env
from fernway_core.warehouse import Warehouse

TAKE_LOCK_AT_ONCE = (
    "import sys\nfrom fernway_core.duckdb_lock import writer_lock\n"
    "with writer_lock(sys.argv[1], 0):\n    pass\n"
)


def free_for_another_process(warehouse: Warehouse) -> bool:
    """Whether another process gets the writer slot right now, without waiting."""
    command = [sys.executable, "-c", TAKE_LOCK_AT_ONCE, warehouse.duckdb_path]
    return subprocess.run(command, capture_output=True, timeout=60).returncode == 0


@pytest.mark.skipif(not DBT.exists(), reason="dbt is not installed in this environment")
def test_events_carry_table_metadata_and_are_recorded_with_the_slot_free(tmp_path: Path) -> None:
    two_rows = "select 1 as id union all select 2\n"
    project_dir = probe_dbt_project(tmp_path / "probe", "probe_two", two_rows)
    warehouse = Warehouse(url=f"duckdb://{tmp_path / 'w.duckdb'}", lock_timeout_s=60)
    env = {**os.environ, **dbt_env(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    parse = [str(DBT), "parse", "--project-dir", str(project_dir)]
    subprocess.run([*parse, "--profiles-dir", str(SHARED_PROFILES)], env=env, check=True)
    project = DbtProject(project_dir=project_dir, profiles_dir=SHARED_PROFILES)
    slot_free_when_recorded: list[bool] = []

    @dbt_assets(manifest=project.manifest_path, project=project)
    def probe_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        for event in dbt_build(context, dbt, warehouse, ["build"]):
            slot_free_when_recorded.append(free_for_another_process(warehouse))
            yield event

    result = dg.materialize(
        [probe_models],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=str(DBT))},
        instance=dg.DagsterInstance.ephemeral(),
    )

    assert result.success
    assert slot_free_when_recorded == [True]  # dbt's one model, yielded after the slot ended
    [materialization] = result.get_asset_materialization_events()
    metadata = materialization.materialization.metadata
    assert metadata["dagster/row_count"].value == 2
    assert metadata["dagster/table_name"].value.endswith(".probe_two")
    assert [c.name for c in metadata["dagster/column_schema"].value.columns] == ["id"]
