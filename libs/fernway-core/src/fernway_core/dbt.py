"""dbt glue shared by every location with a dbt project (imports dagster-dbt lazily)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

if TYPE_CHECKING:
    from fernway_core.warehouse import Warehouse

_TABLE_TYPES = {"model", "seed", "snapshot"}


class SchemaTableTranslator(DagsterDbtTranslator):
    """Keys mirror where data lives (`<schema>/<table>`); group, owners and kinds per location."""

    def __init__(self, group_name: str, owners: list[str], kinds: set[str]) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))
        self._group_name = group_name
        self._owners = owners
        self._kinds = kinds

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        """Rewrite key, group, owners and kinds of dbt models; sources keep their mapped keys."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id, {})
        if node.get("resource_type") not in _TABLE_TYPES:
            return spec
        relation = node.get("alias") or node["name"]
        return spec.replace_attributes(
            key=dg.AssetKey([node["schema"], relation]),
            group_name=self._group_name,
            owners=self._owners,
            kinds=self._kinds,
        )


def dbt_env(warehouse: Warehouse) -> dict[str, str]:
    """Environment variables the dbt profiles read to reach the same warehouse."""
    if warehouse.dialect == "duckdb":
        return {"FERNWAY_DBT_TARGET": "duckdb", "FERNWAY_DUCKDB_PATH": warehouse.duckdb_path}
    url = urlparse(warehouse.url)
    return {
        "FERNWAY_DBT_TARGET": "postgres",
        "FERNWAY_PG_HOST": url.hostname or "127.0.0.1",
        "FERNWAY_PG_PORT": str(url.port or 5432),
        "FERNWAY_PG_USER": unquote(url.username or "postgres"),
        "FERNWAY_PG_PASSWORD": unquote(url.password or ""),
        "FERNWAY_PG_DBNAME": url.path.lstrip("/") or "postgres",
    }


@contextmanager
def dbt_environment(warehouse: Warehouse) -> Iterator[None]:
    """Point the dbt subprocess at the warehouse for the duration of one invocation."""
    values = dbt_env(warehouse)
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def build_with_table_metadata(
    context: dg.AssetExecutionContext, events: Iterator[Any], warehouse: Warehouse
) -> Iterator[Any]:
    """Yield dbt events once the run ended, adding row count, schema and table name per model.

    Metadata is read after dbt exits because DuckDB lets only one process hold the file.
    """
    buffered = list(events)
    for event in buffered:
        if isinstance(event, dg.Output | dg.AssetMaterialization):
            key = (
                context.asset_key_for_output(event.output_name)
                if isinstance(event, dg.Output)
                else event.asset_key
            )
            table = ".".join(key.path[-2:])
            yield event.with_metadata({**event.metadata, **warehouse.table_metadata(table)})
        else:
            yield event
