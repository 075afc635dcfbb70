"""The courier app dlt pipeline over the platform's warehouse (`fernway_core.dlt_destination`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

from fernway_core import dlt_destination
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.courier_app.contracts import DATASET, PIPELINE


def make_pipeline(warehouse: Warehouse, workdir: Path) -> dlt.Pipeline:
    """The courier app pipeline, its local working state in `workdir` (fresh per run)."""
    pipeline: dlt.Pipeline = dlt_destination.make_pipeline(warehouse, PIPELINE, DATASET, workdir)
    return pipeline


def cursors(pipeline: dlt.Pipeline) -> dict[str, Any]:
    """Each resource's `updated_at` cursor in the pipeline state (absent before its first load)."""
    return {
        name: state.get("incremental", {}).get("updated_at", {}).get("last_value")
        for name, state in dlt_destination.resource_states(pipeline, DATASET).items()
    }
