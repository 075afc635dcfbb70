"""Partner orders: an external table filled by the imperative S3 load job, not by an asset."""

import dagster as dg

from fernway_core.partitions import DAILY

partner_orders = dg.AssetSpec(
    key=["raw", "partner_orders"],
    description="Partner-channel orders from S3 bulk exports, one row per order.",
    group_name="exports",
    kinds={"s3", "parquet", "duckdb"},
    owners=["team:analytics"],
    partitions_def=DAILY,
    metadata={"loaded_by": "load_partner_exports_job (sensor: partner_exports_sensor)"},
)
