"""The analytics marts other locations read: their asset keys and the columns they may rely on.

Locations cannot import each other's packages (one virtualenv each), so the contract lives here.
The analytics dbt project enforces it (`contract: {enforced: true}` in
`models/marts/sales/_sales__models.yml`), and the analytics test `tests/test_published_marts.py`
fails when dbt and this module disagree. Weather and ml declare their upstream assets from it.
Types are dbt contract `data_type`s that DuckDB and Postgres both accept.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

VARCHAR = "varchar"
INTEGER = "integer"
BIGINT = "bigint"
DOUBLE = "double precision"
BOOLEAN = "boolean"
DATE = "date"
TIMESTAMP = "timestamp"
AMOUNT = "decimal(12, 2)"  # one order's money
TOTAL = "decimal(18, 2)"  # money summed over many orders


@dataclass(frozen=True)
class Column:
    """A published column: its name and its contract data type."""

    name: str
    data_type: str


@dataclass(frozen=True)
class Mart:
    """A table the analytics location builds for others: where it lives, its grain, its columns."""

    schema: str
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> dg.AssetKey:
        """The asset key (`<schema>/<table>`, as the analytics location names it)."""
        return dg.AssetKey([self.schema, self.name])

    @property
    def table(self) -> str:
        """The relation, `<schema>.<table>`."""
        return f"{self.schema}.{self.name}"

    def spec(self) -> dg.AssetSpec:
        """The external asset a consuming location declares (the analytics location builds it)."""
        schema = dg.TableSchema(columns=[dg.TableColumn(c.name, c.data_type) for c in self.columns])
        return dg.AssetSpec(
            key=self.key,
            description=f"{self.description} (analytics location, dbt).",
            metadata={"dagster/column_schema": schema},
            owners=["team:analytics"],
        )


def _columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, data_type) for name, data_type in pairs)


ORDERS = Mart(
    "analytics",
    "orders",
    "Every order across channels, one row per order",
    _columns(
        ("order_id", VARCHAR),
        ("channel", VARCHAR),
        ("partner_name", VARCHAR),
        ("customer_id", VARCHAR),
        ("product_id", VARCHAR),
        ("city_id", VARCHAR),
        ("status", VARCHAR),
        ("is_cancelled", BOOLEAN),
        ("is_refunded", BOOLEAN),
        ("item_count", INTEGER),
        ("amount", AMOUNT),
        ("refund_amount", AMOUNT),
        ("net_amount", AMOUNT),
        ("ordered_at", TIMESTAMP),
        ("order_date", DATE),
    ),
)

CUSTOMERS = Mart(
    "analytics",
    "customers",
    "Marketplace customers with their app order history, one row per customer",
    _columns(
        ("customer_id", VARCHAR),
        ("customer_name", VARCHAR),
        ("email", VARCHAR),
        ("city_id", VARCHAR),
        ("city_name", VARCHAR),
        ("signed_up_at", TIMESTAMP),
        ("first_order_date", DATE),
        ("last_order_date", DATE),
        ("lifetime_orders", BIGINT),
        ("lifetime_net_revenue", TOTAL),
    ),
)

DAILY_ORDER_SUMMARY = Mart(
    "analytics",
    "daily_order_summary",
    "Order counts and amounts, one row per order date and channel",
    _columns(
        ("order_date", DATE),
        ("channel", VARCHAR),
        ("orders", BIGINT),
        ("delivered_orders", BIGINT),
        ("cancelled_orders", BIGINT),
        ("refunded_orders", BIGINT),
        ("gross_amount", TOTAL),
        ("refund_amount", TOTAL),
        ("net_amount", TOTAL),
        ("avg_order_value", AMOUNT),
    ),
)

DELIVERY_CITIES = Mart(
    "analytics",
    "delivery_cities",
    "The cities Fernway delivers to, with coordinates and time zone, one row per city",
    _columns(
        ("city_id", VARCHAR),
        ("name", VARCHAR),
        ("country", VARCHAR),
        ("latitude", DOUBLE),
        ("longitude", DOUBLE),
        ("timezone", VARCHAR),
        ("first_order_date", DATE),
        ("orders", BIGINT),
    ),
)

PUBLISHED = (ORDERS, CUSTOMERS, DAILY_ORDER_SUMMARY, DELIVERY_CITIES)
