"""Serialise pages of generated rows into the marketplace API's JSON records."""

from __future__ import annotations

import numpy as np

from fernway_sandbox.cities import city_ids
from fernway_sandbox.dataset import Dataset
from fernway_sandbox.malformed import KINDS, MalformedLog, corrupt, malformed_kinds
from fernway_sandbox.money import cents_strs
from fernway_sandbox.orders import STATUSES

ORDER_KEYS = (
    "order_id",
    "customer_id",
    "product_id",
    "city_id",
    "status",
    "quantity",
    "unit_price",
    "amount",
    "refund_amount",
    "ordered_at",
    "updated_at",
)
CUSTOMER_KEYS = ("customer_id", "name", "email", "city_id", "signed_up_at", "updated_at")
PRODUCT_KEYS = ("product_id", "name", "category", "unit_price")
CITY_IDS = city_ids()


def iso(seconds: np.ndarray) -> list[str]:
    """Epoch seconds -> ISO 8601 UTC strings with a Z suffix."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text.tolist()]


def rows(keys: tuple[str, ...], columns: list[list]) -> list[dict]:
    """Column lists -> list of record dicts."""
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def order_records(ds: Dataset, idx: np.ndarray) -> list[dict]:
    """Orders at positions `idx` as API records."""
    o = ds.orders
    status = [STATUSES[s] for s in o.status[idx].tolist()]
    refund = np.where(o.status[idx] == STATUSES.index("refunded"), o.amount[idx], 0)
    return rows(
        ORDER_KEYS,
        [
            [f"ord_{i + 1:08d}" for i in idx.tolist()],
            ds.customers.ids(o.customer[idx]),
            ds.products.ids(o.product[idx]),
            CITY_IDS[o.city[idx]].tolist(),
            status,
            o.quantity[idx].tolist(),
            cents_strs(o.unit_price[idx]),
            cents_strs(o.amount[idx]),
            cents_strs(refund),
            iso(o.ordered_at[idx]),
            iso(o.updated_at[idx]),
        ],
    )


def with_malformed(
    records: list[dict], idx: np.ndarray, seed: int, rate: float, log: MalformedLog
) -> list[dict]:
    """Replace the deterministic malformed records of this page (and log them)."""
    kinds = malformed_kinds(seed, idx, rate) if rate > 0 else None
    if kinds is None or not (kinds >= 0).any():
        return records
    served: list[dict] = []
    for record, kind in zip(records, kinds.tolist(), strict=True):
        if kind < 0:
            served.append(record)
            continue
        log.add(record["order_id"], KINDS[kind])
        served.extend(corrupt(record, KINDS[kind]))
    return served


def customer_records(ds: Dataset, idx: np.ndarray) -> list[dict]:
    """Customers at positions `idx` as API records."""
    c = ds.customers
    return rows(
        CUSTOMER_KEYS,
        [
            c.ids(idx),
            c.name[idx].tolist(),
            c.email[idx].tolist(),
            CITY_IDS[c.city[idx]].tolist(),
            iso(c.signed_up_at[idx]),
            iso(c.updated_at[idx]),
        ],
    )


def product_records(ds: Dataset, idx: np.ndarray) -> list[dict]:
    """Products at positions `idx` as API records."""
    p = ds.products
    return rows(
        PRODUCT_KEYS,
        [p.ids(idx), p.name[idx].tolist(), p.category[idx].tolist(), cents_strs(p.unit_price[idx])],
    )
