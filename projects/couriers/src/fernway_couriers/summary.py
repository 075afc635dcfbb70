"""This location's sections of the demo summary: the courier app against the sandbox's ground
truth (payouts to the cent), the dbt marts, timesheets, Airbyte, Great Expectations and the
DataHub catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import dagster as dg

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

CATALOG_KEY = dg.AssetKey(["catalog", "datahub"])


def _one(warehouse: Warehouse, sql: str) -> dict[str, Any]:
    return warehouse.query_arrow(sql).to_pylist()[0]


def _cents(value: Decimal | float | None) -> int:
    return round(Decimal(str(value or 0)) * 100)


def _compare(label: str, got: int, want: int, unit: str = "") -> tuple[str, int]:
    """`label: got = truth` (or `!= truth want`) and 1 when they differ."""
    if unit == "EUR":
        text = f"{label}: EUR {got / 100:,.2f}"
        return (text + " = truth", 0) if got == want else (text + f" != truth {want / 100:,.2f}", 1)
    text = f"{label}: {got:,}"
    return (text + " = truth", 0) if got == want else (text + f" != truth {want:,}", 1)


def summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Loaded courier-app records and dbt earnings against the truth; the other feeds' sizes."""
    counts = {
        table: _one(warehouse, f"select count(*) as n from courier_app.{table}")["n"]
        for table in ("couriers", "shifts", "deliveries", "payouts")
    }
    rejected = _one(
        warehouse,
        "select count(distinct record_key) as n from raw.rejects "
        "where source = 'courier_app' and entity = 'deliveries' "
        "and reason <> 'duplicate'",  # a rejected copy's original is loaded
    )["n"]
    payouts = _one(warehouse, "select sum(amount) as amount from courier_app.payouts")
    earned = _one(warehouse, "select sum(earnings) as e from couriers.courier_earnings_weekly")
    statuses = {
        row["status"]: row["n"]
        for row in warehouse.query_arrow(
            "select status, count(*) as n from couriers.payout_reconciliation group by status"
        ).to_pylist()
    }
    reconciliation = ", ".join(f"{n:,} {status}" for status, n in sorted(statuses.items()))
    facts = truth.get("couriers") if truth else None
    lines, mismatches = [], 0
    if facts is None:
        lines += [f"{table}: {n:,} rows" for table, n in counts.items()]
        lines.append(f"payouts: EUR {_cents(payouts['amount']) / 100:,.2f} (no truth to compare)")
    else:
        for table in ("couriers", "shifts", "payouts"):
            line, bad = _compare(f"{table} loaded", counts[table], facts[table]["count"])
            lines.append(line)
            mismatches += bad
        line, bad = _compare(
            f"deliveries loaded ({rejected:,} rejected)",
            counts["deliveries"] + rejected,
            facts["deliveries"]["count"],
        )
        lines.append(line)
        mismatches += bad
        for label, got, want in (
            ("payouts", _cents(payouts["amount"]), facts["payouts"]["amount_cents"]),
            (
                "earnings in couriers.courier_earnings_weekly",
                _cents(earned["e"]),
                sum(c["earned_cents"] for c in facts["by_courier"].values()) if not rejected else 0,
            ),
        ):
            if label.startswith("earnings") and rejected:
                lines.append(f"{label}: EUR {got / 100:,.2f} (rejected deliveries: not compared)")
                continue
            line, bad = _compare(label, got, want, "EUR")
            lines.append(line)
            mismatches += bad
    lines.append(f"payout reconciliation against analytics.orders: {reconciliation or 'no rows'}")
    sheets = _one(
        warehouse,
        "select count(*) as n, count(distinct source_file) as files from timesheets.entries",
    )
    rejected_files = _one(
        warehouse,
        "select count(distinct record_key) as n from raw.rejects "
        "where source = 'timesheets' and entity = 'timesheet_files'",
    )["n"]
    lines.append(
        f"timesheets: {sheets['n']:,} lines from {sheets['files']:,} files "
        f"({rejected_files:,} files rejected)"
    )
    airbyte = {
        stream: _one(warehouse, f"select count(*) as n from airbyte_github.{stream}")["n"]
        for stream in ("releases", "issues")
    }
    lines.append(
        "Airbyte source-github (courier app repository): "
        + ", ".join(f"{n:,} {stream}" for stream, n in airbyte.items())
    )
    docs = sorted((get_settings().data_dir / "gx").rglob("local_site/index.html"))
    lines.append("Great Expectations Data Docs: " + (str(docs[0]) if docs else "none rendered"))
    return [{"title": "Couriers: the courier app", "lines": lines, "mismatches": mismatches}]


def catalog_summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """What the DataHub catalog run published: datasets, lineage edges, per location."""
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(CATALOG_KEY)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return [{"title": "DataHub catalog", "lines": ["not published"], "mismatches": 1}]
    meta = {k: v.value for k, v in materialization.metadata.items()}
    locations = meta.get("locations") or {}
    lines = [
        f"{meta['datasets']:,} datasets ({meta['with_schema']:,} with a schema), "
        f"{meta['lineage_edges']:,} lineage edges ({meta['cross_location_edges']:,} across "
        f"locations), {meta['proposals']:,} proposals sent to {meta.get('datahub_gms')}",
    ]
    if isinstance(locations, dict):
        lines.append(
            "assets per location: " + ", ".join(f"{k} {v}" for k, v in sorted(locations.items()))
        )
    return [{"title": "DataHub catalog of the whole platform", "lines": lines, "mismatches": 0}]
