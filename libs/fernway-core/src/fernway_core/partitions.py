"""Daily partitions and the (start, end) dates a run covers."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from fernway_core.settings import FernwaySettings, get_settings

PARTITIONS_START = dt.date(2026, 1, 1)
# Import-time constant with the default start (no settings read at import);
# `daily_partitions(settings)` honours FERNWAY_PARTITIONS_START.
DAILY = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START.isoformat())


def daily_partitions(settings: FernwaySettings | None = None) -> dg.DailyPartitionsDefinition:
    """Daily partitions (UTC) from `settings.partitions_start`."""
    start = (settings or get_settings()).partitions_start
    return dg.DailyPartitionsDefinition(start_date=start.isoformat())


def window_of(
    context: dg.AssetExecutionContext | dg.OpExecutionContext,
) -> tuple[dt.date, dt.date]:
    """(start, end) dates, end exclusive: the partition, the single-run range, or settings."""
    if context.has_partition_key or context.has_partition_key_range:
        window = context.partition_time_window
        return window.start.date(), window.end.date()
    return get_settings().window()
