"""The imperative S3-watch job: load each new partner export file exactly once."""

import dagster as dg
import pyarrow.compute as pc

from fernway_analytics.defs.exports.assets import partner_orders
from fernway_analytics.defs.exports.loading import load_export_file
from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.warehouse import WAREHOUSE_POOL, Warehouse


class ExportFilesConfig(dg.Config):
    """Which export files (S3 keys) this run loads."""

    keys: list[str]


@dg.op(
    pool=WAREHOUSE_POOL,
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
)
def load_partner_exports(
    context: dg.OpExecutionContext,
    config: ExportFilesConfig,
    exports: ExportsBucket,
    warehouse: Warehouse,
) -> None:
    """Load the given export files; each file replaces its own rows, so reruns never duplicate."""
    loaded = []
    for key in config.keys:
        valid, rejects = load_export_file(exports, warehouse, key)
        days = sorted({d.isoformat() for d in pc.unique(valid["order_date"]).to_pylist()})
        loaded.append((key, days, valid.num_rows, rejects.num_rows))
        context.log.info(f"{key}: {valid.num_rows} rows loaded, {rejects.num_rows} rejected")
    table = warehouse.table_metadata("raw.partner_orders") if loaded else {}
    for key, days, rows, rejected in loaded:
        for day in days:
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=partner_orders.key,
                    partition=day,
                    metadata={
                        "source_file": key,
                        "rows_loaded": rows,
                        "rows_rejected": rejected,
                        **table,
                    },
                )
            )


@dg.job(description="Load partner bulk export files from S3 into raw.partner_orders.")
def load_partner_exports_job() -> None:
    """Watch-S3 job: one op, config lists the files."""
    load_partner_exports()
