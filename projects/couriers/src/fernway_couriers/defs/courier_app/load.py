"""One load of the courier app: fetch outside the warehouse's writer slot, load inside it.

1. Slot: dlt restores its cursors and stored schema from the warehouse.
2. No slot: every page changed since each cursor is fetched, validated and normalized by dlt
   (network time never holds the single-writer slot).
3. Slot: dlt merges on each entity's id; the run's rejects replace those of the records it read.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.exceptions import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed

from fernway_core.rejects import REJECTS_TABLE, stamp
from fernway_core.warehouse import Replacement, Warehouse
from fernway_couriers.defs.courier_app.contracts import BY_NAME, PIPELINE, SOURCE, TABLES
from fernway_couriers.defs.courier_app.destination import cursors, make_pipeline
from fernway_couriers.defs.courier_app.source import Api, ReadLog, courier_app_source


class ContractViolation(RuntimeError):
    """The rows no longer fit the declared (frozen) schema; nothing was loaded."""


@dataclass
class LoadOutcome:
    """What one load did, for metadata and checks."""

    read: ReadLog
    load_id: str | None = None
    cursors_before: dict[str, Any] = field(default_factory=dict)
    cursors_after: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def load_courier_app(
    api: Api,
    warehouse: Warehouse,
    now: dt.datetime,
    log: Callable[[str], None],
    tables: Sequence[str] | None = None,
) -> LoadOutcome:
    """Merge what changed in the courier app since the last load into dataset `courier_app`."""
    names = list(tables or [t.name for t in TABLES])
    outcome = LoadOutcome(read=ReadLog())
    source = courier_app_source(api, outcome.read).with_resources(*names)
    dlt.config[f"{PIPELINE}.normalize.parquet_normalizer.add_dlt_load_id"] = True
    mark = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="couriers-dlt-") as workdir:
        pipeline = make_pipeline(warehouse, Path(workdir))
        with warehouse.writer_slot():
            pipeline.sync_destination()
        outcome.cursors_before = cursors(pipeline)
        outcome.seconds["prepare"] = time.perf_counter() - mark
        mark = time.perf_counter()
        try:
            pipeline.extract(source)
            outcome.seconds["fetch_extract"] = time.perf_counter() - mark
            mark = time.perf_counter()
            pipeline.normalize()
        except PipelineStepFailed as exc:
            if isinstance(exc.exception, DataValidationError):
                raise ContractViolation(
                    f"courier_app rows broke the frozen schema contract ({exc.exception}); "
                    "declare the change in contracts.py"
                ) from exc
            raise
        outcome.seconds["normalize"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with warehouse.writer_slot():
            info = pipeline.load()
            info.raise_on_failed_jobs()
            _replace_rejects(warehouse, outcome.read, names, now)
        outcome.seconds["load"] = time.perf_counter() - mark
        outcome.load_id = info.loads_ids[-1] if info.loads_ids else None
        outcome.cursors_after = cursors(pipeline)
    log(
        "courier_app load: "
        + ", ".join(
            f"{n} {len(r.valid_ids())} merged / {r.rejects_table().num_rows} rejected"
            for n, r in outcome.read.entities.items()
        )
        + "; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in outcome.seconds.items())
    )
    return outcome


def _in_list(warehouse: Warehouse, column: str) -> str:
    """`column` is one of a list bound as a single parameter."""
    return (
        f"{column} = any(?)" if warehouse.dialect == "postgres" else f"list_contains(?, {column})"
    )


def _replace_rejects(
    warehouse: Warehouse, read: ReadLog, names: Sequence[str], now: dt.datetime
) -> None:
    """Rejects of the records this run read replace theirs from earlier runs, per entity.

    A record rejected before and valid now loses its reject; one still bad keeps one reject
    (its latest); rejects of records this run did not read (incremental) stay. A reject whose
    key is null cannot be matched to a later version: the same payload replaces itself.
    """
    loaded_at = now.astimezone(dt.UTC).replace(tzinfo=None)
    replacements = []
    for name in names:
        entity = read.of(name)
        rejects = entity.rejects_table()
        keys = pa.concat_arrays(
            [entity.valid_ids(), pc.drop_null(rejects["record_key"]).combine_chunks()]
        )
        nameless = rejects.filter(pc.is_null(rejects["record_key"]))["payload"]
        where = (
            f"source = ? and entity = ? and ({_in_list(warehouse, 'record_key')} "
            f"or (record_key is null and {_in_list(warehouse, 'payload')}))"
        )
        params = [SOURCE, BY_NAME[name].name, keys.to_pylist(), nameless.to_pylist()]
        replacements.append(Replacement(REJECTS_TABLE, stamp(rejects, loaded_at), where, params))
    warehouse.replace_many(replacements)
