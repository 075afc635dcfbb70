"""Raw marketplace tables, ingested from the marketplace API into the `raw` schema."""

import datetime as dt

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fernway_analytics.defs.marketplace import contracts
from fernway_analytics.defs.marketplace.reconcile import reconcile_orders
from fernway_analytics.defs.marketplace.resources import MarketplaceApi
from fernway_core.http import CursorPaginator, PageNumberPaginator
from fernway_core.partitions import DAILY, window_of
from fernway_core.rejects import REJECTS_TABLE, fill_partition, stamp
from fernway_core.validation import RecordSpec, validate_records
from fernway_core.warehouse import Replacement, Warehouse

OWNERS = ["team:analytics"]
KINDS = {"python", "duckdb"}
API_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
ORDERS_KEY = dg.AssetKey(["raw", "marketplace_orders"])
RECONCILE = dg.AssetCheckSpec(
    "reconciles_with_source",
    asset=ORDERS_KEY,
    blocking=True,
    description="Loaded + rejected orders per day equal the API's control totals; "
    "amounts equal on days without rejects.",
)


def _snapshot_asset(name: str, path: str, spec: RecordSpec, doc: str) -> dg.AssetsDefinition:
    """A full-refresh raw table: every page fetched, then swapped in one transaction."""

    @dg.asset(
        key=["raw", f"marketplace_{name}"],
        description=doc,
        group_name="marketplace",
        kinds=KINDS,
        owners=OWNERS,
        retry_policy=API_RETRY,
    )
    def _asset(
        context: dg.AssetExecutionContext, marketplace: MarketplaceApi, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        with marketplace.client() as api:
            paginator = PageNumberPaginator() if path != "/v1/cities" else None
            records = api.fetch_all(path, {"page_size": marketplace.page_size}, paginator)
            stats = api.stats.as_metadata()
        result = validate_records(records, spec, source="marketplace")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        table = f"raw.marketplace_{name}"
        warehouse.replace_many(
            [
                Replacement(table, stamp(result.valid, now)),
                Replacement(
                    REJECTS_TABLE,
                    fill_partition(stamp(result.rejects, now), "snapshot"),
                    "source = ? and entity = ?",
                    ["marketplace", spec.entity],
                ),
            ]
        )
        return dg.MaterializeResult(
            metadata={**warehouse.table_metadata(table), **result.as_metadata(), **stats}
        )

    return _asset


marketplace_cities = _snapshot_asset(
    "cities", "/v1/cities", contracts.CITIES, "Cities Fernway delivers in, one row per city."
)
marketplace_customers = _snapshot_asset(
    "customers", "/v1/customers", contracts.CUSTOMERS, "Marketplace customers, one row each."
)
marketplace_products = _snapshot_asset(
    "products", "/v1/products", contracts.PRODUCTS, "Product catalogue, one row per product."
)


@dg.asset(
    key=ORDERS_KEY,
    group_name="marketplace",
    kinds=KINDS,
    owners=OWNERS,
    partitions_def=DAILY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=API_RETRY,
    check_specs=[RECONCILE],
)
def marketplace_orders(
    context: dg.AssetExecutionContext, marketplace: MarketplaceApi, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Marketplace orders, one row per order, partitioned by the day it was ordered (UTC)."""
    start, end = window_of(context)
    with marketplace.client() as api:
        params = {
            "ordered_from": start.isoformat(),
            "ordered_to": end.isoformat(),
            "limit": marketplace.page_size,
        }
        records = api.fetch_all("/v1/orders", params, CursorPaginator())
        totals = api.get_json(
            "/v1/reports/daily_totals", {"from": start.isoformat(), "to": end.isoformat()}
        )["data"]
        stats = api.stats.as_metadata()
    result = validate_records(records, contracts.ORDERS, source="marketplace")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    valid = stamp(result.valid, now)
    valid = valid.add_column(
        valid.schema.get_field_index("updated_at") + 1,
        "order_date",
        pc.cast(valid["ordered_at"], pa.date32()),
    )
    window = [start, end]
    warehouse.replace_many(
        [
            Replacement(
                "raw.marketplace_orders", valid, "order_date >= ? and order_date < ?", window
            ),
            Replacement(
                REJECTS_TABLE,
                fill_partition(stamp(result.rejects, now), start.isoformat()),
                "source = ? and entity = ? and partition_key >= ? and partition_key < ?",
                ["marketplace", "orders", start.isoformat(), end.isoformat()],
            ),
        ]
    )
    check = reconcile_orders(warehouse, totals, start, end)
    return dg.MaterializeResult(
        metadata={
            **warehouse.table_metadata("raw.marketplace_orders"),
            "dagster/partition_row_count": valid.num_rows,
            **result.as_metadata(),
            **stats,
        },
        check_results=[check],
    )
