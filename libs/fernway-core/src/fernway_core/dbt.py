"""dbt glue shared by every location with a dbt project (needs the `dbt` extra: dagster-dbt)."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
)

from fernway_core.dbt_shared import dbt_env, shared_dbt_dir

if TYPE_CHECKING:
    from fernway_core.warehouse import Warehouse

_TABLE_TYPES = {"model", "seed", "snapshot"}
# dbt reads its connection from the process environment, which every thread shares: one dbt
# invocation of this process at a time sets it, so a run in another thread cannot unset it
# before that invocation started (they would queue on the DuckDB writer slot anyway).
_ENVIRONMENT_LOCK = threading.RLock()


def fernway_dbt_project(project_dir: Path | str) -> DbtProject:
    """The dbt project at `project_dir`, reading the one shared profile (`libs/dbt-shared`).

    `dbt deps` and `dbt parse` run before a location loads (`make setup` here, the image build in
    `deploy/`), so building this never shells out to dbt.
    """
    project_dir = Path(project_dir).resolve()
    return DbtProject(project_dir=project_dir, profiles_dir=shared_dbt_dir(project_dir))


def dbt_cli_resource(project: DbtProject) -> DbtCliResource:
    """A dbt CLI resource for `project`, running the dbt of this interpreter's environment."""
    sibling = Path(sys.executable).with_name("dbt")
    dbt = str(sibling) if sibling.exists() else shutil.which("dbt") or "dbt"
    return DbtCliResource(project_dir=project, dbt_executable=dbt)


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


@contextmanager
def dbt_environment(warehouse: Warehouse) -> Iterator[None]:
    """Point the dbt subprocess at the warehouse for the duration of one invocation.

    The invocation runs in the warehouse's writer slot: on DuckDB dbt starts once no other
    process holds the file, and other writers wait for it instead of failing on DuckDB's lock.
    Threads of one process (runs executed in process side by side) take turns, so none sees
    another's environment restored under it.
    """
    values = dbt_env(warehouse)
    with _ENVIRONMENT_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            with warehouse.writer_slot():
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
