"""The expectation suites, kept as code: one per mart.

A suite states what a mart must satisfy beyond its dbt contract (which already fixes the column
types): keys present and unique, amounts and counts in range, and the row-level arithmetic the
mart promises (see the derived `gx_` columns in `marts.py`).

`load_from_defs_folder` imports every module under `defs/` when the location loads, so GX
(≈ 10 s to import) is imported inside each suite function, at validation time only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fernway_couriers.defs.quality.marts import (
    COURIER_EARNINGS_WEEKLY,
    PAYOUT_RECONCILIATION,
    SHIFT_UTILISATION,
    STATUSES,
    Mart,
)

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation


def _shape(mart: Mart) -> list[Expectation]:
    """The contract columns are present, the mart is not empty and nothing in it is null."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableColumnsToMatchSet(column_set=list(mart.columns), exact_match=False),
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in mart.columns),
    ]


def courier_earnings_weekly() -> list[Expectation]:
    """One row per courier and ISO week with ≥ 1 delivery; earnings = fees + tips."""
    import great_expectations.expectations as gxe

    return [
        *_shape(COURIER_EARNINGS_WEEKLY),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["courier_id", "week_start"]),
        gxe.ExpectColumnValuesToBeInSet(column="gx_week_start_isodow", value_set=[1]),
        gxe.ExpectColumnValuesToBeBetween(column="deliveries", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="fees", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="tips", min_value=0),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="earnings", column_B="gx_fees_plus_tips"),
    ]


def shift_utilisation() -> list[Expectation]:
    """One row per completed shift; busy ≤ shift hours; utilisation = busy / shift in [0, 1]."""
    import great_expectations.expectations as gxe

    return [
        *_shape(SHIFT_UTILISATION),
        gxe.ExpectColumnValuesToBeUnique(column="shift_id"),
        gxe.ExpectColumnValuesToBeBetween(
            column="shift_hours", min_value=0, max_value=24, strict_min=True
        ),
        gxe.ExpectColumnValuesToBeBetween(column="busy_hours", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="deliveries", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="shift_hours", column_B="busy_hours", or_equal=True
        ),
        gxe.ExpectColumnValuesToBeBetween(column="utilisation", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(
            column="gx_utilisation_error", min_value=0, max_value=1e-9
        ),
    ]


def payout_reconciliation() -> list[Expectation]:
    """One row per payout; known statuses; difference = payout - delivered; `matched` means it."""
    import great_expectations.expectations as gxe

    return [
        *_shape(PAYOUT_RECONCILIATION),
        gxe.ExpectColumnValuesToBeUnique(column="payout_id"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES)),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=True
        ),
        gxe.ExpectColumnValuesToBeBetween(column="payout_amount", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="delivered_amount", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="payout_deliveries", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="delivered_deliveries", column_B="matched_orders", or_equal=True
        ),
        gxe.ExpectColumnValuesToBeBetween(column="matched_orders", min_value=0),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="difference", column_B="gx_payout_minus_delivered"
        ),
        gxe.ExpectColumnValuesToBeInSet(column="gx_matched_is_consistent", value_set=[True]),
    ]


SUITES: dict[str, Callable[[], list[Expectation]]] = {
    COURIER_EARNINGS_WEEKLY.name: courier_earnings_weekly,
    SHIFT_UTILISATION.name: shift_utilisation,
    PAYOUT_RECONCILIATION.name: payout_reconciliation,
}
