"""This location's section of the demo summary: loaded orders against the source's truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fernway_core.warehouse import Warehouse


def summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Orders in the warehouse (loaded + rejected) against the sandbox's ground truth."""
    if truth is None:
        return []
    [loaded] = warehouse.query_arrow(
        "select (select count(*) from raw.marketplace_orders) as orders, "
        "(select count(*) from raw.rejects where entity = 'orders') as rejected, "
        "(select count(*) from raw.partner_orders) as partner, "
        "(select count(*) from raw.rejects where entity = 'partner_orders') as partner_rejected"
    ).to_pylist()
    rows = [
        ("marketplace orders", loaded["orders"] + loaded["rejected"],
         truth["marketplace"]["orders"]["count"]),
        ("partner orders", loaded["partner"] + loaded["partner_rejected"],
         truth["s3"]["partner_orders"]["count"]),
    ]  # fmt: skip
    return [
        {
            "title": "Ground truth: analytics (warehouse incl. rejects vs sandbox)",
            "lines": [
                f"{what:<20} {got:>12,} {'=' if got == want else '!='} {want:,}"
                for what, got, want in rows
            ],
            "mismatches": sum(got != want for _, got, want in rows),
        }
    ]
