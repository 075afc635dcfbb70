"""Materialize analytics/big_orders in a fresh process, with the Spark its settings select.

Run as `python -m tests.defs.spark.materialize_big_orders` from the project directory; prints
the materialization's metadata as one JSON line after `METADATA `. PySpark chooses between its
classic and its Spark Connect API once per process, so each engine gets its own process, as in
a deployment (each step of a run is its own process there).
"""

from __future__ import annotations

import json
import sys

import dagster as dg

from fernway_devtools.locations import load_location

BIG_ORDERS = dg.AssetKey(["analytics", "big_orders"])
PREFIX = "METADATA "


def main() -> int:
    """Run big_orders alone in process; print its metadata; exit 1 when the run failed."""
    defs = load_location("fernway_analytics.definitions")
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=[BIG_ORDERS], raise_on_error=False
        )
    if not result.success:
        return 1
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    plain = {k: v.value for k, v in metadata.items() if isinstance(v.value, str | int | float)}
    print(PREFIX + json.dumps(plain), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
