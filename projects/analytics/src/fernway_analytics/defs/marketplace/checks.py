"""Data-quality checks on the raw marketplace tables."""

import dagster as dg

from fernway_core.rejects import build_rejects_check

rejected_orders = build_rejects_check(
    dg.AssetKey(["raw", "marketplace_orders"]), "marketplace", "orders"
)
rejected_customers = build_rejects_check(
    dg.AssetKey(["raw", "marketplace_customers"]), "marketplace", "customers"
)
rejected_products = build_rejects_check(
    dg.AssetKey(["raw", "marketplace_products"]), "marketplace", "products"
)
