"""Thin glue between Dagster and Great Expectations 1.x, written here on purpose.

There is no maintained Dagster integration for GX 1.x (`dagster-ge` pins GX < 1.0), and GX's SQL
datasource fails on DuckDB (duckdb-engine, GX issue 10738). So a mart is read with the warehouse
resource (DuckDB or Postgres) into pandas, and validated through a GX *pandas* datasource with one
dataframe asset per mart, the suite from `suites.py`, a `ValidationDefinition` and a `Checkpoint`
whose `UpdateDataDocsAction` renders the HTML Data Docs.

The GX file context lives at `<project_root_dir>/gx/` (the platform's data dir, never the source
tree). It is created on first use and every object in it is got-or-added / added-or-updated, so
each run leaves it in the same shape; the suite in code always wins over the stored one. A file
lock (`<project_root_dir>/gx.lock`) makes processes take turns at the context and its Data Docs.

`load_from_defs_folder` imports every module under `defs/` when the location loads, so GX
(≈ 10 s to import) is imported inside the functions here, when a validation runs.
"""

from __future__ import annotations

import fcntl
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from fernway_couriers.defs.quality.marts import Mart
from fernway_couriers.defs.quality.suites import SUITES

DATASOURCE = "couriers_warehouse"
BATCH = "whole_table"
SAMPLE = 5  # unexpected values kept per expectation


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result: what it asked, whether it held, how many rows broke it."""

    expectation: str
    success: bool
    unexpected_count: int | None
    sample: list[str]
    observed: str | None
    error: str | None


@dataclass(frozen=True)
class CheckpointOutcome:
    """A checkpoint run over one mart: its verdict, per-expectation results, Data Docs pages."""

    suite: str
    success: bool
    rows: int
    expectations: list[ExpectationOutcome]
    docs_page: Path | None
    docs_index: Path | None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        """The expectations that did not hold."""
        return [e for e in self.expectations if not e.success]


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """One process at a time in the GX project under `root` (the kernel frees it on death)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "gx.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_context(root: Path) -> Any:
    """The file context at `root/gx` (created when missing), progress bars off."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(root))
    bars = context.variables.progress_bars  # a config object when new, a dict once reloaded
    on = bars is None or (bars.get("globally", True) if isinstance(bars, dict) else bars.globally)
    if on:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def _checkpoint(context: Any, mart: Mart) -> Any:
    """The mart's checkpoint, with its datasource, asset, suite and validation ensured."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    try:
        source = context.data_sources.get(DATASOURCE)
    except KeyError:
        source = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = source.get_asset(mart.name)
    except LookupError:
        asset = source.add_dataframe_asset(mart.name)
    try:
        batch = asset.get_batch_definition(BATCH)
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe(BATCH)
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=mart.suite_name, expectations=SUITES[mart.name]())
    )
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=mart.suite_name, data=batch, suite=suite)
    )
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=mart.suite_name,
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format="SUMMARY",
        )
    )


def run_checkpoint(root: Path, mart: Mart, rows: pa.Table, run_name: str) -> CheckpointOutcome:
    """Validate the mart's `rows` with the mart's suite (as pandas); Data Docs are rebuilt."""
    from great_expectations.core.run_identifier import RunIdentifier

    frame = rows.to_pandas()
    with project_lock(root):
        context = open_context(root)
        checkpoint = _checkpoint(context, mart)
        result = checkpoint.run(
            batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name)
        )
        ((identifier, validation),) = result.run_results.items()
        page = _local_file(context.get_docs_sites_urls(resource_identifier=identifier))
        index = _local_file(context.get_docs_sites_urls())
    return CheckpointOutcome(
        suite=mart.suite_name,
        success=bool(validation.success),
        rows=rows.num_rows,
        expectations=[_outcome(r) for r in validation.results],
        docs_page=page,
        docs_index=index,
    )


def _local_file(sites: list[dict[str, Any]]) -> Path | None:
    """The local file behind the first Data Docs site URL (None when not built)."""
    urls = [s["site_url"] for s in sites if s.get("site_url")]
    if not urls or not urls[0].startswith("file://"):
        return None
    return Path(unquote(urlparse(urls[0]).path))


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    args = ", ".join(
        f"{k}={_text(v)}"
        for k, v in config.kwargs.items()
        if k not in {"batch_id", "result_format"}
    )
    details = result.result or {}
    info = result.exception_info or {}
    error = info.get("exception_message") if info.get("raised_exception") else None
    observed = details.get("observed_value")
    return ExpectationOutcome(
        expectation=f"{config.type}({args})",
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        sample=[_text(v) for v in details.get("partial_unexpected_list", [])[:SAMPLE]],
        observed=None if observed is None else _text(observed),
        error=error,
    )


def _text(value: Any) -> str:
    """A value as short JSON-safe text (Decimals, dates and NaN included)."""
    if isinstance(value, float) and math.isnan(value):
        return "null"
    if isinstance(value, str | int | float | bool) or value is None:
        return json.dumps(value)
    if isinstance(value, list | tuple | set):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)
