"""The checkpoints read a Postgres warehouse the same way (production's warehouse)."""

from __future__ import annotations

import pytest

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.checks import CHECK_NAME
from fernway_couriers.defs.quality.marts import MARTS
from fernway_devtools.pytest_plugin import evaluate_checks, failed_check
from tests.defs.quality.marts_data import build_good_mart, quality_definitions

EARNINGS = "couriers/courier_earnings_weekly"


@pytest.mark.fails_check(EARNINGS, CHECK_NAME)
def test_checkpoints_pass_on_good_postgres_marts_and_fail_on_a_broken_one(
    scratch_database, platform_env, inbox, instance
):
    warehouse = Warehouse(url=scratch_database)
    for mart in MARTS:
        build_good_mart(warehouse, mart)
    defs = quality_definitions(platform_env, warehouse, inbox)
    every = [(m.key.to_user_string(), CHECK_NAME) for m in MARTS]
    result = evaluate_checks(defs, instance, every)
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True, True, True]

    warehouse.execute("update couriers.courier_earnings_weekly set week_start = week_start + 1")
    result = evaluate_checks(defs, instance, [(EARNINGS, CHECK_NAME)])
    evaluation = failed_check(result, EARNINGS, CHECK_NAME)
    (failed,) = evaluation.metadata["failed_expectations"].value
    assert failed["expectation"].startswith(
        'expect_column_values_to_be_in_set(column="gx_week_start_isodow"'
    )
    assert failed["unexpected_count"] == 3
