"""Daily and hourly partitions, and the (start, end) dates a run covers."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from fernway_core.settings import get_settings

# Where the partitions begin is part of the asset's definition (code), not of the environment:
# changing it changes every partition key, so it is a constant, not a setting.
PARTITIONS_START = dt.date(2026, 1, 1)
DAILY = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START.isoformat())
# Hourly partitions include the hour in progress (end_offset=1): an hourly job can record what
# is observed "now" during that hour, and backfill hours that are over.
HOURLY = dg.HourlyPartitionsDefinition(start_date=f"{PARTITIONS_START}-00:00", end_offset=1)
HOURLY_KEY_FORMAT = "%Y-%m-%d-%H:%M"


def window_of(
    context: dg.AssetExecutionContext | dg.OpExecutionContext,
) -> tuple[dt.date, dt.date]:
    """(start, end) dates, end exclusive: the partition, the single-run range, or settings."""
    if context.has_partition_key or context.has_partition_key_range:
        window = context.partition_time_window
        return window.start.date(), window.end.date()
    return get_settings().window()
