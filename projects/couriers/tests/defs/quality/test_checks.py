"""The GX checkpoints as asset checks: good marts pass, each broken mart fails its check."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.checks import CHECK_NAME, payout_reconciliation_gx
from fernway_devtools.pytest_plugin import evaluate_checks, failed_check

ALL = [
    ("couriers/courier_earnings_weekly", CHECK_NAME),
    ("couriers/shift_utilisation", CHECK_NAME),
    ("couriers/payout_reconciliation", CHECK_NAME),
]


def _evaluation(result: dg.ExecuteInProcessResult, asset: str) -> dg.AssetCheckEvaluation:
    (found,) = [
        e for e in result.get_asset_check_evaluations() if e.asset_key.to_user_string() == asset
    ]
    return found


def test_good_marts_pass_every_checkpoint_with_results_and_docs_in_metadata(
    marts, quality_defs, instance, platform_env
):
    result = evaluate_checks(quality_defs, instance, ALL)
    for asset, _ in ALL:
        evaluation = _evaluation(result, asset)
        assert evaluation.passed, evaluation.metadata["failed_expectations"].value
        meta = evaluation.metadata
        assert meta["rows_validated"].value == 3
        assert meta["expectations_failed"].value == 0
        assert meta["expectations_evaluated"].value >= 10
        assert "expect_column_values_to_not_be_null" in meta["expectations"].value
        page = Path(meta["data_docs_path"].value)
        assert page.is_file()
        assert page.is_relative_to(platform_env / "gx")
        assert meta["data_docs"].value == page.as_uri()


EARNINGS = "couriers/courier_earnings_weekly"
SHIFTS = "couriers/shift_utilisation"
PAYOUTS = "couriers/payout_reconciliation"


@pytest.mark.parametrize(
    ("asset", "breakage", "broken_rules"),
    [
        pytest.param(
            EARNINGS,
            "update couriers.courier_earnings_weekly set earnings = earnings + 0.01 "
            "where courier_id = 'c-2'",
            {'expect_column_pair_values_to_be_equal(column_A="earnings"'},
            marks=pytest.mark.fails_check(EARNINGS, CHECK_NAME),
            id="earnings_not_fees_plus_tips",
        ),
        pytest.param(
            SHIFTS,
            "update couriers.shift_utilisation set utilisation = 1.5 where shift_id = 's-1'",
            {
                'expect_column_values_to_be_between(column="utilisation"',
                'expect_column_values_to_be_between(column="gx_utilisation_error"',
            },
            marks=pytest.mark.fails_check(SHIFTS, CHECK_NAME),
            id="utilisation_out_of_range",
        ),
        pytest.param(
            PAYOUTS,
            "update couriers.payout_reconciliation set payout_id = 'p-1', status = 'paid' "
            "where payout_id = 'p-2'",
            {
                'expect_column_values_to_be_unique(column="payout_id"',
                'expect_column_values_to_be_in_set(column="status"',
            },
            marks=pytest.mark.fails_check(PAYOUTS, CHECK_NAME),
            id="duplicate_payout_unknown_status",
        ),
    ],
)
def test_a_broken_mart_fails_its_checkpoint_naming_the_broken_rules(
    marts, quality_defs, instance, asset, breakage, broken_rules
):
    marts.execute(breakage)
    result = evaluate_checks(quality_defs, instance, [(asset, CHECK_NAME)])
    evaluation = failed_check(result, asset, CHECK_NAME)
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    failed = evaluation.metadata["failed_expectations"].value
    names = [f["expectation"] for f in failed]
    assert len(names) == len(broken_rules), names
    assert all(any(n.startswith(rule) for n in names) for rule in broken_rules), names
    assert all(f["unexpected_count"] >= 1 for f in failed)
    assert evaluation.metadata["expectations_failed"].value == len(broken_rules)


def test_a_missing_mart_table_fails_its_check_in_one_line(warehouse, quality_defs, instance):
    result = evaluate_checks(quality_defs, instance, [(PAYOUTS, CHECK_NAME)])
    evaluation = _evaluation(result, PAYOUTS)
    assert evaluation.passed is False
    assert evaluation.metadata["error"].value == (
        "table couriers.payout_reconciliation does not exist"
    )


def test_a_failing_checkpoint_blocks_what_depends_on_the_mart(marts, quality_defs, instance):
    @dg.asset(deps=[dg.AssetKey.from_user_string(PAYOUTS)])
    def payout_report() -> None:
        """Downstream of the payouts mart."""

    @dg.asset(key=dg.AssetKey.from_user_string(PAYOUTS))
    def broken_payouts(warehouse: Warehouse) -> None:
        """Builds the payouts mart with a negative payout."""
        warehouse.execute(
            "update couriers.payout_reconciliation set payout_amount = -1, "
            "difference = -1 - delivered_amount where payout_id = 'p-3'"
        )

    result = dg.materialize(
        [broken_payouts, payout_report, payout_reconciliation_gx],
        resources=quality_defs.resources,
        instance=instance,
        raise_on_error=False,
    )
    failed_check(result, PAYOUTS, CHECK_NAME)
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert materialized == {PAYOUTS}
    assert not result.success
