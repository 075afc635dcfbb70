"""API orders: who, what, where, when, and the late-arriving status updates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from fernway_sandbox import calendar
from fernway_sandbox.catalog import Products

STATUSES = ("delivered", "cancelled", "refunded")
CANCEL_RATE, REFUND_RATE = 0.06, 0.04
HOUR_S = 3600


@dataclass(frozen=True)
class Orders:
    """Order columns sorted by (ordered_at, order_id); order i has id ord_{i+1:08d}."""

    customer: np.ndarray  # index into Customers
    product: np.ndarray  # index into Products
    city: np.ndarray  # index into CITIES
    status: np.ndarray  # index into STATUSES
    quantity: np.ndarray
    unit_price: np.ndarray  # cents
    amount: np.ndarray  # cents = quantity * unit_price
    ordered_at: np.ndarray  # epoch seconds, ascending
    updated_at: np.ndarray  # epoch seconds, >= ordered_at, < window end

    def __len__(self) -> int:
        return len(self.ordered_at)

    @property
    def refund_amount(self) -> np.ndarray:
        """Refunded amount in cents (the full amount for refunded orders)."""
        return np.where(self.status == STATUSES.index("refunded"), self.amount, 0)


def late_updates(rng: np.random.Generator, status: np.ndarray) -> np.ndarray:
    """Seconds from order to last update: delivery minutes, cancellation hours, refund days."""
    n = len(status)
    delivery = rng.integers(20 * 60, 75 * 60, size=n)
    cancel = (rng.exponential(6.0, size=n) * HOUR_S).astype(np.int64) + 300
    refund = ((rng.exponential(36.0, size=n) + 2.0) * HOUR_S).astype(np.int64)
    return np.choose(status, [delivery, cancel, refund])


def make_orders(
    rng: np.random.Generator,
    n: int,
    start: dt.date,
    days: int,
    customer_city: np.ndarray,
    customer_propensity: np.ndarray,
    products: Products,
) -> Orders:
    """Generate `n` orders over the window, vectorised and sorted by time."""
    per_day = rng.multinomial(n, calendar.day_weights(rng, start, days))
    day = np.repeat(np.arange(days, dtype=np.int64), per_day)
    customer = rng.choice(len(customer_city), size=n, p=customer_propensity).astype(np.int32)
    city = customer_city[customer]
    offsets = calendar.utc_offsets(start, days)[city, day]
    local_s = calendar.local_time_of_day(rng, n)
    ordered_at = calendar.to_utc_in_window(day, local_s, offsets, start, days)
    product = rng.choice(len(products), size=n, p=products.popularity).astype(np.int16)
    quantity = np.minimum(rng.geometric(0.55, size=n), 8).astype(np.int16)
    u = rng.random(n)
    status = np.where(u < CANCEL_RATE, 1, np.where(u < CANCEL_RATE + REFUND_RATE, 2, 0))
    last_s = calendar.epoch_s(start) + days * calendar.DAY_S - 1
    updated_at = np.minimum(ordered_at + late_updates(rng, status), last_s)
    order = np.argsort(ordered_at, kind="stable")
    unit_price = products.unit_price[product[order]]
    return Orders(
        customer=customer[order],
        product=product[order],
        city=city[order],
        status=status[order].astype(np.int8),
        quantity=quantity[order],
        unit_price=unit_price,
        amount=unit_price * quantity[order],
        ordered_at=ordered_at[order],
        updated_at=updated_at[order],
    )


def first_order_at(orders: Orders, n_customers: int) -> np.ndarray:
    """Epoch seconds of each customer's first order, -1 when they never ordered."""
    first = np.full(n_customers, -1, dtype=np.int64)
    seen, index = np.unique(orders.customer, return_index=True)
    first[seen] = orders.ordered_at[index]
    return first
