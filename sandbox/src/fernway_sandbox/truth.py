"""Ground truth: exact per-day counts and cent sums of the true (fault-free) data."""

from __future__ import annotations

import datetime as dt

import numpy as np

from fernway_sandbox import calendar
from fernway_sandbox.cities import CITIES
from fernway_sandbox.dataset import Dataset
from fernway_sandbox.orders import STATUSES


def per_day(
    seconds: np.ndarray, cents: np.ndarray, start: dt.date, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """(count, cent sum) per day for rows sorted by `seconds` (exact integer sums)."""
    bounds = np.searchsorted(seconds, calendar.day_starts(start, days + 1))
    running = np.concatenate([[0], np.cumsum(cents, dtype=np.int64)])
    return np.diff(bounds), running[bounds[1:]] - running[bounds[:-1]]


def day_keys(start: dt.date, days: int) -> list[str]:
    """ISO dates of the window."""
    return [(start + dt.timedelta(days=d)).isoformat() for d in range(days)]


def orders_truth(ds: Dataset) -> dict:
    """Truth of the marketplace API orders."""
    o = ds.orders
    counts, cents = per_day(o.ordered_at, o.amount, ds.start, ds.days)
    per_status = np.bincount(ds.order_day * len(STATUSES) + o.status, minlength=ds.days * 3)
    status = per_status.reshape(ds.days, len(STATUSES)).tolist()
    by_day = {
        key: {"count": c, "amount_cents": a, "by_status": dict(zip(STATUSES, s, strict=True))}
        for key, c, a, s in zip(
            day_keys(ds.start, ds.days), counts.tolist(), cents.tolist(), status, strict=True
        )
    }
    return {"count": len(o), "amount_cents": int(o.amount.sum()), "by_day": by_day}


def marketplace_truth(ds: Dataset) -> dict:
    """Truth of every marketplace entity."""
    return {
        "cities": {"count": len(CITIES)},
        "customers": {"count": len(ds.customers)},
        "products": {"count": len(ds.products)},
        "orders": orders_truth(ds),
    }


def partner_truth(ds: Dataset) -> dict:
    """Truth of the partner exports generated for the window (one file per day)."""
    p = ds.partner_orders
    counts, cents = per_day(p.ordered_at, p.amount, ds.start, ds.days)
    by_day = {
        key: {"count": c, "amount_cents": a}
        for key, c, a in zip(
            day_keys(ds.start, ds.days), counts.tolist(), cents.tolist(), strict=True
        )
    }
    return {
        "files": ds.days,
        "count": len(p),
        "amount_cents": int(p.amount.sum()),
        "by_day": by_day,
    }
