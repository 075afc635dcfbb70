"""Partner orders: an external table filled by the imperative S3 load job, not by an asset."""

import dagster as dg

from fernway_analytics.defs.exports.loading import ORDERS_SCHEMA
from fernway_core.sql import sql_type

COLUMNS = dg.TableSchema(
    columns=[
        *(dg.TableColumn(f.name, sql_type(f.type)) for f in ORDERS_SCHEMA),
        dg.TableColumn("_loaded_at", "timestamp"),
    ]
)

partner_orders = dg.AssetSpec(
    key=["raw", "partner_orders"],
    description="Partner-channel orders from S3 bulk exports, one row per order.",
    group_name="exports",
    kinds={"s3", "parquet", "duckdb"},
    owners=["team:analytics"],
    metadata={
        "loaded_by": "load_partner_exports_job (sensor: partner_exports_sensor)",
        "dagster/column_schema": COLUMNS,
    },
)
