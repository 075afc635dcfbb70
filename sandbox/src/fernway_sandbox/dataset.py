"""The generated data set: numpy columns for serving, Arrow tables for benchmarks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from fernway_sandbox import calendar
from fernway_sandbox.catalog import Products, make_products
from fernway_sandbox.cities import city_ids, city_records
from fernway_sandbox.customers import Customers, customer_base, customer_count, make_customers
from fernway_sandbox.money import cents_to_decimal
from fernway_sandbox.orders import STATUSES, Orders, first_order_at, make_orders
from fernway_sandbox.partners import (
    PartnerOrders,
    id_strings,
    labels,
    make_partner_orders,
    partner_count,
)

UTC_US = pa.timestamp("us", tz="UTC")


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds * 1_000_000, pa.int64()).cast(UTC_US)


@dataclass(frozen=True)
class Dataset:
    """Everything the sandbox serves, generated deterministically from (seed, scale, window)."""

    seed: int
    scale: int
    start: dt.date
    days: int
    products: Products
    customers: Customers
    orders: Orders
    partner_orders: PartnerOrders

    @property
    def end(self) -> dt.date:
        """Exclusive end of the window."""
        return self.start + dt.timedelta(days=self.days)

    @cached_property
    def order_day(self) -> np.ndarray:
        """Window day index (UTC) of each order."""
        return (self.orders.ordered_at - calendar.epoch_s(self.start)) // calendar.DAY_S

    def tables(self) -> dict[str, pa.Table]:
        """All generated tables as Arrow (money as decimal128(12,2), timestamps UTC)."""
        return {
            "cities": pa.Table.from_pylist(city_records()),
            "customers": self.customers_table(),
            "products": self.products_table(),
            "orders": self.orders_table(),
            "partner_orders": self.partner_orders.table(),
        }

    def products_table(self) -> pa.Table:
        """Products as Arrow."""
        p = self.products
        ids = id_strings("prd_", np.arange(1, len(p) + 1), 4)
        return pa.table(
            {
                "product_id": ids,
                "name": p.name,
                "category": p.category,
                "unit_price": cents_to_decimal(p.unit_price),
            }
        )

    def customers_table(self) -> pa.Table:
        """Customers as Arrow."""
        c = self.customers
        return pa.table(
            {
                "customer_id": id_strings("cus_", np.arange(1, len(c) + 1), 6),
                "name": c.name,
                "email": c.email,
                "city_id": labels(city_ids(), c.city),
                "signed_up_at": _ts(c.signed_up_at),
                "updated_at": _ts(c.updated_at),
            }
        )

    def orders_table(self) -> pa.Table:
        """API orders as Arrow, in (ordered_at, order_id) order."""
        o = self.orders
        return pa.table(
            {
                "order_id": id_strings("ord_", np.arange(1, len(o) + 1), 8),
                "customer_id": id_strings("cus_", o.customer.astype(np.int64) + 1, 6),
                "product_id": id_strings("prd_", o.product.astype(np.int64) + 1, 4),
                "city_id": labels(city_ids(), o.city),
                "status": labels(STATUSES, o.status),
                "quantity": o.quantity.astype(np.int32),
                "unit_price": cents_to_decimal(o.unit_price),
                "amount": cents_to_decimal(o.amount),
                "refund_amount": cents_to_decimal(o.refund_amount),
                "ordered_at": _ts(o.ordered_at),
                "updated_at": _ts(o.updated_at),
            }
        )


def generate(seed: int, scale: int, start: dt.date, days: int) -> Dataset:
    """Generate the data set; independent random streams per table keep tables stable."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    products = make_products(streams[0])
    city, propensity = customer_base(streams[1], customer_count(scale))
    orders = make_orders(streams[2], scale, start, days, city, propensity, products)
    start_s = calendar.epoch_s(start)
    end_s = start_s + days * calendar.DAY_S
    first = first_order_at(orders, len(city))
    customers = make_customers(streams[1], city, first, start_s, end_s)
    weights = calendar.day_weights(streams[3], start, days)
    partner_counts = streams[3].multinomial(partner_count(scale), weights)
    partners = make_partner_orders(streams[3], start, partner_counts)
    return Dataset(seed, scale, start, days, products, customers, orders, partners)
