"""The dlt pipeline over the platform's warehouse: the same DuckDB file or Postgres database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import dlt

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.courier_app.contracts import DATASET, PIPELINE

# dlt merges through a staging dataset; its own name keeps it apart from dbt's
# `couriers_staging` (the staging models) and says whose it is.
STAGING_LAYOUT = "%s_dlt_staging"


def destination(warehouse: Warehouse) -> Any:
    """dlt's destination for the warehouse the settings resolve (no second database)."""
    if warehouse.dialect == "duckdb":
        return dlt.destinations.duckdb(
            credentials=warehouse.duckdb_path, staging_dataset_name_layout=STAGING_LAYOUT
        )
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials(warehouse.url)
    # trust / peer / .pgpass auth: no password in the URL, but dlt insists on a value
    credentials.password = credentials.password or cast(Any, "")
    return dlt.destinations.postgres(
        credentials=credentials, staging_dataset_name_layout=STAGING_LAYOUT
    )


def make_pipeline(warehouse: Warehouse, workdir: Path) -> dlt.Pipeline:
    """A pipeline whose local working state lives in `workdir` (a fresh directory per run:
    dlt restores the cursors and the stored schema from the warehouse, the one source of truth)."""
    return dlt.pipeline(
        pipeline_name=PIPELINE,
        destination=destination(warehouse),
        dataset_name=DATASET,
        pipelines_dir=str(workdir),
        dev_mode=False,
    )


def cursors(pipeline: dlt.Pipeline) -> dict[str, Any]:
    """Each resource's `updated_at` cursor in the pipeline state (absent before its first load)."""
    resources = pipeline.state.get("sources", {}).get(DATASET, {}).get("resources", {})
    return {
        name: state.get("incremental", {}).get("updated_at", {}).get("last_value")
        for name, state in resources.items()
    }
