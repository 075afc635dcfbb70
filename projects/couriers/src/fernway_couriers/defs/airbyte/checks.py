"""Checks on the Airbyte streams: no record of either was rejected."""

import dagster as dg

from fernway_core.rejects import build_rejects_check
from fernway_couriers.defs.airbyte.assets import STREAMS, asset_key
from fernway_couriers.defs.airbyte.destination import SOURCE


@dg.definitions
def checks() -> dg.Definitions:
    """`no_rejected_records` on every stream's asset."""
    return dg.Definitions(
        asset_checks=[build_rejects_check(asset_key(s), SOURCE, s) for s in STREAMS]
    )
