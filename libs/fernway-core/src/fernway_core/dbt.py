"""dbt glue shared by every location with a dbt project (needs the `dbt` extra: dagster-dbt)."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
)
from packaging import version

from fernway_core.dbt_shared import dbt_env, shared_dbt_dir
from fernway_core.duckdb_lock import LOCK_MESSAGE, WarehouseLockTimeout, connect_waiting

if TYPE_CHECKING:
    from fernway_core.warehouse import Warehouse

_TABLE_TYPES = {"model", "seed", "snapshot"}
# dbt reads its connection from the process environment, which every thread shares: one dbt
# invocation of this process at a time sets it, so a run in another thread cannot unset it
# before that invocation started (they would queue on the DuckDB writer slot anyway).
_ENVIRONMENT_LOCK = threading.RLock()
# The warehouse of the `dbt_environment` this process is in (set and read under the lock above).
_current: list[Warehouse] = []
_log = dg.get_dagster_logger("fernway_core.dbt")


def fernway_dbt_project(project_dir: Path | str) -> DbtProject:
    """The dbt project at `project_dir`, reading the one shared profile (`libs/dbt-shared`).

    `dbt deps` and `dbt parse` run before a location loads (`make setup` here, the image build in
    `deploy/`), so building this never shells out to dbt.
    """
    project_dir = Path(project_dir).resolve()
    return DbtProject(project_dir=project_dir, profiles_dir=shared_dbt_dir(project_dir))


class WaitingDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource; inside `dbt_environment` on DuckDB a lock conflict is waited out.

    `dbt_environment` enters dbt's turn only once DuckDB's file lock is free, but a process that
    does not take the writer lock (an analyst's DuckDB shell, a second Dagster home's orphan) can
    open the file after that, before dbt does or between two of its models (dbt-duckdb reopens
    the file per model). dbt then fails on `Could not set lock on file`: such an invocation is
    waited out (up to the warehouse's `lock_timeout_s` from the first conflict) and run again
    whole.
    Its output is therefore streamed once dbt has exited.
    """

    def __init__(self, project_dir: str | Path | DbtProject, **kwargs: Any) -> None:
        # the base class's own __init__ (it accepts a DbtProject), not the one typed from fields
        super().__init__(project_dir=project_dir, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        """The dbt version, read from this environment's dbt-core when the executable is its own.

        dagster-dbt (0.29, pinned below 0.30) runs `dbt --version` in a subprocess on every
        invocation of a new resource to learn it — 3-4 s of CPU for a fact the installed package
        metadata already holds. Another executable (a dbt elsewhere on PATH) is still asked.
        """
        if Path(self.dbt_executable) == Path(sys.executable).with_name("dbt"):
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def cli(
        self, args: Sequence[str], *, raise_on_error: bool = True, **kwargs: Any
    ) -> DbtCliInvocation:
        """Invoke dbt; rerun while it failed only because another process held the DuckDB file."""
        warehouse = _current[-1] if _current else None
        if warehouse is None or warehouse.dialect != "duckdb":
            return super().cli(args, raise_on_error=raise_on_error, **kwargs)
        path, first_conflict = warehouse.duckdb_path, None
        while True:
            invocation = super().cli(args, raise_on_error=raise_on_error, **kwargs)
            log = invocation.target_path / "dbt.log"
            before = log.stat().st_size if log.exists() else 0  # a given target_path appends
            if invocation.is_successful() or not _lock_conflict(log, before):
                return invocation  # its buffered output is streamed by the caller
            # the time dbt itself runs does not count; waiting since its first conflict does
            first_conflict = first_conflict or time.monotonic()
            waited = time.monotonic() - first_conflict
            if waited >= warehouse.lock_timeout_s:
                raise _gave_up(path, waited, warehouse.lock_timeout_s)
            _log.info(
                f"dbt failed on DuckDB's lock of {path} (another process opened it); "
                f"waiting for it, then rerunning `dbt {' '.join(args)}`"
            )
            try:
                connect_waiting(path, warehouse.lock_timeout_s - waited).close()
            except WarehouseLockTimeout as exc:
                waited = time.monotonic() - first_conflict
                raise _gave_up(path, waited, warehouse.lock_timeout_s) from exc


def _gave_up(path: str, waited: float, timeout_s: float) -> WarehouseLockTimeout:
    return WarehouseLockTimeout(
        f"dbt could not open {path}: other processes kept DuckDB's lock on it for "
        f"{waited:.1f}s > lock_timeout_s={timeout_s:g}"
    )


def _lock_conflict(log: Path, offset: int) -> bool:
    """Whether dbt's debug log, from `offset` on, shows DuckDB's lock conflict."""
    if not log.exists():
        return False
    with log.open("rb") as file:
        file.seek(offset)
        return LOCK_MESSAGE.encode() in file.read()


def dbt_cli_resource(project: DbtProject) -> DbtCliResource:
    """A dbt CLI resource for `project`, running the dbt of this interpreter's environment."""
    sibling = Path(sys.executable).with_name("dbt")
    dbt = str(sibling) if sibling.exists() else shutil.which("dbt") or "dbt"
    return WaitingDbtCliResource(project_dir=project, dbt_executable=dbt)


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
    process holds the file, and other writers wait for it instead of failing on DuckDB's lock;
    a process outside the slot that takes the file from dbt is waited out by
    `WaitingDbtCliResource`.
    Threads of one process (runs executed in process side by side) take turns, so none sees
    another's environment restored under it.
    """
    values = dbt_env(warehouse)
    with _ENVIRONMENT_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        _current.append(warehouse)
        try:
            with warehouse.writer_slot():
                yield
        finally:
            _current.pop()
            for key, old in saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    args: Sequence[str],
) -> Iterator[Any]:
    """Run `dbt <args>` for the selected models in the warehouse's writer slot; yield its events,
    each model's with its row count, schema and table name, once the slot is free again.

    Only dbt and the metadata reads (one connection, after dbt exited: DuckDB lets one process
    hold the file) are in the slot; recording the events in Dagster, which takes longer than
    many a dbt run, no longer keeps other writers waiting.
    """
    with dbt_environment(warehouse):
        events = list(dbt.cli(list(args), context=context).stream())
        tables = {
            index: ".".join(key.path[-2:])
            for index, event in enumerate(events)
            if (key := _materialized_key(context, event)) is not None
        }
        with warehouse.transaction() as tx:
            metadata = {index: tx.table_metadata(table) for index, table in tables.items()}
    for index, event in enumerate(events):
        if index in metadata:
            yield event.with_metadata({**event.metadata, **metadata[index]})
        else:
            yield event


def _materialized_key(context: dg.AssetExecutionContext, event: Any) -> dg.AssetKey | None:
    if isinstance(event, dg.Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, dg.AssetMaterialization):
        return event.asset_key
    return None
