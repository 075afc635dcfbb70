"""The courier app's records as they stand at an instant: who is visible, when each last
changed, and one page of them as JSON records (late-arriving updates follow from the clock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fernway_sandbox.cities import city_ids
from fernway_sandbox.couriers import AGENCIES, VEHICLES, WEEK_S, Fleet
from fernway_sandbox.money import cents_str
from fernway_sandbox.services.records import iso

CITY_IDS = city_ids()
HIDDEN = -1  # the updated_at of a record that does not exist yet


def ids(prefix: str, idx: np.ndarray, width: int) -> list[str]:
    """Ids like cou_00001 for positions `idx`."""
    return [f"{prefix}{i + 1:0{width}d}" for i in idx.tolist()]


def stamps(seconds: np.ndarray, shown: np.ndarray) -> list[str | None]:
    """ISO timestamps where `shown`, else None."""
    text = iso(np.where(shown, seconds, 0))
    return [t if s else None for t, s in zip(text, shown.tolist(), strict=True)]


def latest(t: int, created: np.ndarray, *events: np.ndarray) -> np.ndarray:
    """Per record: the last of its events at or before `t` (created first), HIDDEN before it."""
    updated = np.where(created <= t, created, HIDDEN)
    for when in events:
        updated = np.where(when <= t, np.maximum(updated, when), updated)
    return updated


def rows(keys: tuple[str, ...], columns: list[list]) -> list[dict]:
    """Column lists -> records."""
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


@dataclass(frozen=True)
class Entity:
    """One listing: its id column, when each record last changed at t, its records at t."""

    key: str
    updated: Callable[[Fleet, int], np.ndarray]
    records: Callable[[Fleet, np.ndarray, int], list[dict]]


def courier_records(f: Fleet, idx: np.ndarray, t: int) -> list[dict]:
    c = f.couriers
    changed = c.changed_at[idx] <= t
    agency = c.agency[idx].tolist()
    rating = np.where(changed, c.new_rating[idx], c.rating[idx]).tolist()
    return rows(
        (
            "courier_id", "name", "email", "city_id", "vehicle", "agency", "rating", "status",
            "signed_up_at", "updated_at",
        ),
        [
            ids("cou_", idx, 5),
            c.name[idx].tolist(),
            c.email[idx].tolist(),
            CITY_IDS[c.city[idx]].tolist(),
            [VEHICLES[v] for v in np.where(changed, c.new_vehicle[idx], c.vehicle[idx]).tolist()],
            [AGENCIES[a] if a >= 0 else None for a in agency],
            [f"{r // 100}.{r % 100:02d}" for r in rating],
            ["active"] * len(idx),
            iso(c.signed_up_at[idx]),
            iso(np.where(changed, c.changed_at[idx], c.signed_up_at[idx])),
        ],
    )  # fmt: skip


def shift_status(f: Fleet, idx: np.ndarray, t: int) -> np.ndarray:
    """0 scheduled, 1 in_progress, 2 completed, 3 cancelled."""
    s = f.shifts
    return np.select(
        [s.cancelled_at[idx] <= t, s.ended_at[idx] <= t, s.started_at[idx] <= t], [3, 2, 1], 0
    )


SHIFT_STATUSES = ("scheduled", "in_progress", "completed", "cancelled")


def shift_records(f: Fleet, idx: np.ndarray, t: int) -> list[dict]:
    s = f.shifts
    status = shift_status(f, idx, t)
    updated = latest(t, s.created_at[idx], s.started_at[idx], s.ended_at[idx])
    updated = np.where(status == 3, s.cancelled_at[idx], updated)
    return rows(
        (
            "shift_id", "courier_id", "city_id", "status", "scheduled_at", "started_at",
            "ended_at", "cancelled_at", "updated_at",
        ),
        [
            ids("shf_", idx, 7),
            ids("cou_", s.courier[idx], 5),
            CITY_IDS[s.city[idx]].tolist(),
            [SHIFT_STATUSES[x] for x in status.tolist()],
            iso(s.created_at[idx]),
            iso(s.started_at[idx]),
            stamps(s.ended_at[idx], status == 2),
            stamps(s.cancelled_at[idx], status == 3),
            iso(updated),
        ],
    )  # fmt: skip


def delivery_records(f: Fleet, idx: np.ndarray, t: int) -> list[dict]:
    d = f.deliveries
    delivered = d.delivered_at[idx] <= t
    tip = np.where(d.tipped_at[idx] <= t, d.tip[idx], 0)
    return rows(
        (
            "delivery_id", "order_id", "courier_id", "shift_id", "city_id", "status",
            "picked_up_at", "delivered_at", "distance_m", "fee", "tip", "updated_at",
        ),
        [
            ids("dlv_", idx, 8),
            ids("ord_", d.order[idx], 8),
            ids("cou_", d.courier[idx], 5),
            ids("shf_", d.shift[idx], 7),
            CITY_IDS[d.city[idx]].tolist(),
            ["delivered" if x else "in_transit" for x in delivered.tolist()],
            iso(d.picked_up_at[idx]),
            stamps(d.delivered_at[idx], delivered),
            d.distance_m[idx].tolist(),
            [cents_str(x) for x in d.fee[idx].tolist()],
            [cents_str(x) for x in tip.tolist()],
            iso(latest(t, d.picked_up_at[idx], d.delivered_at[idx], d.tipped_at[idx])),
        ],
    )  # fmt: skip


def day(seconds: np.ndarray) -> list[str]:
    """Epoch seconds -> the UTC date, YYYY-MM-DD."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="D").tolist()


def payout_records(f: Fleet, idx: np.ndarray, t: int) -> list[dict]:
    p = f.payouts
    paid = p.paid_at[idx] <= t
    return rows(
        (
            "payout_id", "courier_id", "period_start", "period_end", "deliveries", "amount",
            "currency", "status", "created_at", "paid_at", "updated_at",
        ),
        [
            ids("pay_", idx, 6),
            ids("cou_", p.courier[idx], 5),
            day(p.period_start[idx]),
            day(p.period_start[idx] + WEEK_S - 1),
            p.deliveries[idx].tolist(),
            [cents_str(x) for x in p.amount[idx].tolist()],
            ["EUR"] * len(idx),
            ["paid" if x else "pending" for x in paid.tolist()],
            iso(p.created_at[idx]),
            stamps(p.paid_at[idx], paid),
            iso(np.where(paid, p.paid_at[idx], p.created_at[idx])),
        ],
    )  # fmt: skip


def shift_updated(f: Fleet, t: int) -> np.ndarray:
    s = f.shifts
    updated = latest(t, s.created_at, s.started_at, s.ended_at)
    return np.where(s.cancelled_at <= t, s.cancelled_at, updated)


ENTITIES = {
    "couriers": Entity(
        "courier_id",
        lambda f, t: latest(t, f.couriers.signed_up_at, f.couriers.changed_at),
        courier_records,
    ),
    "shifts": Entity("shift_id", shift_updated, shift_records),
    "deliveries": Entity(
        "delivery_id",
        lambda f, t: latest(
            t, f.deliveries.picked_up_at, f.deliveries.delivered_at, f.deliveries.tipped_at
        ),
        delivery_records,
    ),
    "payouts": Entity(
        "payout_id", lambda f, t: latest(t, f.payouts.created_at, f.payouts.paid_at), payout_records
    ),
}
