"""Ground truth of the courier app as of the window end: every entity per day, cents exact."""

from __future__ import annotations

import datetime as dt

import numpy as np

from fernway_sandbox.calendar import DAY_S, epoch_s
from fernway_sandbox.couriers import NEVER, Fleet
from fernway_sandbox.malformed import KINDS, malformed_kinds
from fernway_sandbox.truth import day_keys


def daily(
    seconds: np.ndarray, start: dt.date, days: int, weights: np.ndarray | None = None
) -> list[int]:
    """Per window day (UTC) of `seconds`: the count, or the sum of integer `weights`."""
    day = (seconds - epoch_s(start)) // DAY_S
    inside = (day >= 0) & (day < days)
    w = None if weights is None else weights[inside].astype(np.float64)
    return np.round(np.bincount(day[inside], weights=w, minlength=days)).astype(np.int64).tolist()


def by_day(start: dt.date, days: int, **columns: list[int]) -> dict[str, dict[str, int]]:
    """{day: {name: value}} from per-day lists."""
    names = list(columns)
    return {
        key: {name: columns[name][d] for name in names}
        for d, key in enumerate(day_keys(start, days))
    }


def courier_truth(f: Fleet, start: dt.date, days: int) -> dict:
    """Counts and cent sums per entity and day (signup, shift start, delivery, payout creation);
    per courier: deliveries, earnings (fees + tips) and the amount in payouts so far."""
    c, s, d, p = f.couriers, f.shifts, f.deliveries, f.payouts
    worked, cancelled = s.ended_at != NEVER, s.cancelled_at != NEVER
    seconds = np.where(worked, s.ended_at - s.started_at, 0)
    paid = p.paid_at != NEVER
    earned = d.fee + d.tip
    n = len(c)
    per_courier = zip(
        np.bincount(d.courier, minlength=n).tolist(),
        np.bincount(d.courier, weights=earned, minlength=n).round().astype(np.int64).tolist(),
        np.bincount(p.courier, weights=p.amount, minlength=n).round().astype(np.int64).tolist(),
        strict=True,
    )
    return {
        "couriers": {
            "count": n,
            "by_day": by_day(
                start,
                days,
                signed_up=daily(c.signed_up_at, start, days),
                changed=daily(c.changed_at[c.changed_at != NEVER], start, days),
            ),
        },
        "shifts": {
            "count": len(s),
            "completed": int(worked.sum()),
            "cancelled": int(cancelled.sum()),
            "worked_seconds": int(seconds.sum()),
            "by_day": by_day(
                start,
                days,
                count=daily(s.started_at, start, days),
                completed=daily(s.started_at[worked], start, days),
                cancelled=daily(s.started_at[cancelled], start, days),
                worked_seconds=daily(s.started_at, start, days, seconds),
            ),
        },
        "deliveries": {
            "count": len(d),
            "fee_cents": int(d.fee.sum()),
            "tip_cents": int(d.tip.sum()),
            "tipped": int((d.tipped_at != NEVER).sum()),
            "by_day": by_day(
                start,
                days,
                count=daily(d.delivered_at, start, days),
                fee_cents=daily(d.delivered_at, start, days, d.fee),
                tip_cents=daily(d.delivered_at, start, days, d.tip),
            ),
        },
        "payouts": {
            "count": len(p),
            "amount_cents": int(p.amount.sum()),
            "paid_cents": int(p.amount[paid].sum()),
            "pending_cents": int(p.amount[~paid].sum()),
            "unpaid_earnings_cents": int(earned.sum() - p.amount.sum()),
            "by_day": by_day(
                start,
                days,
                count=daily(p.created_at, start, days),
                amount_cents=daily(p.created_at, start, days, p.amount),
                paid_cents=daily(p.paid_at[paid], start, days, p.amount[paid]),
            ),
        },
        "by_courier": {
            f"cou_{i + 1:05d}": {"deliveries": k, "earned_cents": e, "paid_out_cents": o}
            for i, (k, e, o) in enumerate(per_courier)
        },
    }


def malformed_deliveries(seed: int, f: Fleet, rate: float, salt: int) -> list[dict[str, str]]:
    """Every delivery served malformed at `rate` once delivered: [{"delivery_id", "kind"}]."""
    if rate <= 0:
        return []
    kinds = malformed_kinds(seed, np.arange(len(f.deliveries)) + salt, rate)
    bad = np.flatnonzero(kinds >= 0)
    return [
        {"delivery_id": f"dlv_{i + 1:08d}", "kind": KINDS[k]}
        for i, k in zip(bad.tolist(), kinds[bad].tolist(), strict=True)
    ]
