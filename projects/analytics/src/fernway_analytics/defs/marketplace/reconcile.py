"""Reconciliation of loaded orders against the source's daily control totals."""

import datetime as dt
from decimal import Decimal
from typing import Any

import dagster as dg

from fernway_core.rejects import REJECTS_TABLE
from fernway_core.warehouse import Warehouse


def _by_day(rows: list[dict], value: str) -> dict[str, Any]:
    return {str(r["day"]): r[value] for r in rows}


def reconcile_orders(
    warehouse: Warehouse, totals: list[dict], start: dt.date, end: dt.date
) -> dg.AssetCheckResult:
    """Compare per-day counts and sums in the warehouse with the API's control totals."""
    loaded = warehouse.query_arrow(
        "select order_date as day, count(*) as orders, sum(amount) as amount "
        "from raw.marketplace_orders where order_date >= ? and order_date < ? group by order_date",
        [start, end],
    ).to_pylist()
    rejected = warehouse.query_arrow(
        f"select partition_key as day, count(*) as n from {REJECTS_TABLE} "
        "where source = 'marketplace' and entity = 'orders' "
        "and partition_key >= ? and partition_key < ? group by partition_key",
        [start.isoformat(), end.isoformat()],
    ).to_pylist()
    counts, amounts = _by_day(loaded, "orders"), _by_day(loaded, "amount")
    rejects = {r["day"]: r["n"] for r in rejected}
    mismatches = []
    for row in totals:
        day = row["date"]
        got = counts.get(day, 0) + rejects.get(day, 0)
        if got != row["orders"]:
            mismatches.append(f"{day}: {got} loaded+rejected vs {row['orders']} at source")
        elif not rejects.get(day) and Decimal(str(amounts.get(day) or 0)) != Decimal(row["amount"]):
            mismatches.append(f"{day}: amount {amounts.get(day)} vs {row['amount']} at source")
    return dg.AssetCheckResult(
        check_name="reconciles_with_source",
        passed=not mismatches,
        metadata={
            "days_checked": len(totals),
            "source_orders": sum(r["orders"] for r in totals),
            "loaded_orders": sum(counts.values()),
            "rejected_orders": sum(rejects.values()),
            "mismatches": "\n".join(mismatches[:20]) or "none",
        },
    )
