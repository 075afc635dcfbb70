"""The couriers marts validated here: where they live, the columns relied on, and derived columns.

The marts are built by the couriers dbt project (schema `couriers`, asset keys `couriers/<name>`).
Each mart is read as `select *` plus a few *derived* columns computed in SQL (prefixed `gx_`),
so that row-level rules GX's pandas backend cannot state across columns (earnings = fees + tips,
utilisation = busy / shift hours) become ordinary single- or pair-column expectations.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from fernway_core.sql import quote_ident

SCHEMA = "couriers"


@dataclass(frozen=True)
class Mart:
    """One mart: its table name, the contract columns, and derived `(name, sql)` columns."""

    name: str
    columns: tuple[str, ...]
    derived: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> dg.AssetKey:
        """The dbt model's asset key, `couriers/<name>`."""
        return dg.AssetKey([SCHEMA, self.name])

    @property
    def table(self) -> str:
        """The relation, `couriers.<name>`."""
        return f"{SCHEMA}.{self.name}"

    @property
    def suite_name(self) -> str:
        """The expectation suite's name (also its Data Docs page)."""
        return f"{SCHEMA}_{self.name}"

    def read_sql(self) -> str:
        """Every column of the mart plus the derived ones (static SQL, no values)."""
        extra = "".join(f", {sql} as {quote_ident(name)}" for name, sql in self.derived)
        return f"select *{extra} from {quote_ident(self.table)}"


COURIER_EARNINGS_WEEKLY = Mart(
    "courier_earnings_weekly",
    ("courier_id", "week_start", "deliveries", "fees", "tips", "earnings"),
    (
        ("gx_fees_plus_tips", "fees + tips"),
        ("gx_week_start_isodow", "cast(extract(isodow from week_start) as integer)"),
    ),
)
SHIFT_UTILISATION = Mart(
    "shift_utilisation",
    (
        "shift_id",
        "courier_id",
        "city_id",
        "shift_date",
        "shift_hours",
        "deliveries",
        "busy_hours",
        "utilisation",
    ),
    (
        (
            "gx_utilisation_error",
            "case when shift_hours > 0 then abs(utilisation - busy_hours / shift_hours) end",
        ),
    ),
)
PAYOUT_RECONCILIATION = Mart(
    "payout_reconciliation",
    (
        "payout_id",
        "courier_id",
        "period_start",
        "period_end",
        "payout_amount",
        "payout_deliveries",
        "delivered_deliveries",
        "delivered_amount",
        "matched_orders",
        "difference",
        "status",
    ),
    (
        ("gx_payout_minus_delivered", "payout_amount - delivered_amount"),
        (
            "gx_matched_is_consistent",
            "status <> 'matched' or (difference = 0 and matched_orders = delivered_deliveries)",
        ),
    ),
)
MARTS: tuple[Mart, ...] = (COURIER_EARNINGS_WEEKLY, SHIFT_UTILISATION, PAYOUT_RECONCILIATION)
MARTS_BY_KEY: dict[dg.AssetKey, Mart] = {m.key: m for m in MARTS}
STATUSES = ("matched", "amount_mismatch", "unmatched_orders")
