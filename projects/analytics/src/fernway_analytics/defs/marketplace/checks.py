"""Data-quality checks on the raw marketplace tables (keys come from the assets)."""

from fernway_analytics.defs.marketplace.assets import (
    marketplace_customers,
    marketplace_orders,
    marketplace_products,
)
from fernway_core.rejects import build_rejects_check

rejected_orders = build_rejects_check(marketplace_orders.key, "marketplace", "orders")
rejected_customers = build_rejects_check(marketplace_customers.key, "marketplace", "customers")
rejected_products = build_rejects_check(marketplace_products.key, "marketplace", "products")
