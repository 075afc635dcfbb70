"""dlt pipelines over the platform's warehouse: the same DuckDB file or Postgres database.

Only locations that load with dlt install it, so dlt is imported when a pipeline is made. A
location keeps its fetch, extract and normalize outside the warehouse's writer slot and runs
`sync_destination` and `load` inside `Warehouse.writer_slot()`, which waits for other writers
and for a process holding DuckDB's own file lock (an analyst's shell) up to `lock_timeout_s`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from fernway_core.warehouse import Warehouse

# dlt merges through a staging dataset, `<dataset>_staging` by default, which is the schema a
# location's staging dbt project builds in: its own name keeps them apart and says whose it is.
STAGING_LAYOUT = "%s_dlt_staging"


def destination(warehouse: Warehouse) -> Any:
    """dlt's destination for the warehouse the settings resolve (no second database)."""
    dlt = importlib.import_module("dlt")
    if warehouse.dialect == "duckdb":
        return dlt.destinations.duckdb(
            credentials=warehouse.duckdb_path, staging_dataset_name_layout=STAGING_LAYOUT
        )
    configuration = importlib.import_module("dlt.destinations.impl.postgres.configuration")
    credentials = configuration.PostgresCredentials(warehouse.url)
    # trust / peer / .pgpass auth: no password in the URL, but dlt insists on a value
    credentials.password = credentials.password or ""
    return dlt.destinations.postgres(
        credentials=credentials, staging_dataset_name_layout=STAGING_LAYOUT
    )


def make_pipeline(warehouse: Warehouse, name: str, dataset: str, workdir: Path) -> Any:
    """Pipeline `name` loading `dataset`, its local working state in `workdir` (a fresh
    directory per run: dlt restores cursors and the stored schema from the warehouse, the one
    source of truth)."""
    dlt = importlib.import_module("dlt")
    return dlt.pipeline(
        pipeline_name=name,
        destination=destination(warehouse),
        dataset_name=dataset,
        pipelines_dir=str(workdir),
        dev_mode=False,
    )


def resource_states(pipeline: Any, dataset: str) -> dict[str, Any]:
    """Each resource's state of source `dataset` in the pipeline state (empty before a load)."""
    states: dict[str, Any] = pipeline.state.get("sources", {}).get(dataset, {}).get("resources", {})
    return states
