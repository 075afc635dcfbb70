"""The daily refresh: yesterday's orders partition, the snapshots, and everything dbt builds."""

import dagster as dg

from fernway_core.partitions import DAILY

daily_refresh_job = dg.define_asset_job(
    "daily_refresh_job",
    selection=dg.AssetSelection.groups("marketplace", "transform", "spark"),
    partitions_def=DAILY,
    description="Ingest one day of marketplace orders, refresh snapshots, rebuild the marts.",
    tags={"dagster/max_retries": "2"},
)
