"""The dlt pipeline over the platform's warehouse: the same DuckDB file or Postgres database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import dlt
from dlt.common.schema import Schema

from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.contracts import DATASET, PIPELINE, STARGAZERS, TABLES

# dlt merges through a staging dataset, `<dataset>_staging` by default: `github_staging`, the
# schema the github_staging dbt project builds its models in. Its own name keeps them apart.
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
    dlt restores cursors and the stored schema from the warehouse, the one source of truth)."""
    return dlt.pipeline(
        pipeline_name=PIPELINE,
        destination=destination(warehouse),
        dataset_name=DATASET,
        pipelines_dir=str(workdir),
        dev_mode=False,
    )


def declared_schema(source: Any) -> Schema:
    """The dlt schema the source declares (tables, columns, keys, dispositions); no data read."""
    schema: Schema = source.discover_schema()
    return schema


def cursor_value(pipeline: dlt.Pipeline) -> Any:
    """The stargazers cursor's last value in the pipeline state (None before the first load)."""
    resources = pipeline.state.get("sources", {}).get(DATASET, {}).get("resources", {})
    incremental = resources.get(STARGAZERS.name, {}).get("incremental", {})
    return incremental.get(STARGAZERS.cursor or "", {}).get("last_value")


def declared_names() -> list[str]:
    """The tables the pipeline loads."""
    return [t.name for t in TABLES]
