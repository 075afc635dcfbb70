"""The GitHub dlt pipeline over the platform's warehouse (`fernway_core.dlt_destination`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

from fernway_core import dlt_destination
from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.contracts import DATASET, PIPELINE, STARGAZERS


def make_pipeline(warehouse: Warehouse, workdir: Path) -> dlt.Pipeline:
    """The GitHub pipeline, its local working state in `workdir` (a fresh directory per run)."""
    pipeline: dlt.Pipeline = dlt_destination.make_pipeline(warehouse, PIPELINE, DATASET, workdir)
    return pipeline


def cursor_value(pipeline: dlt.Pipeline) -> Any:
    """The stargazers cursor's last value in the pipeline state (None before the first load)."""
    incremental = dlt_destination.resource_states(pipeline, DATASET).get(STARGAZERS.name, {})
    cursor = incremental.get("incremental", {}).get(STARGAZERS.cursor or "", {})
    return cursor.get("last_value")
