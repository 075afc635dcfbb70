"""A back-test trains only on the past: what happens on or after its date cannot change it."""

import pandas as pd
import pytest

from fernway_ml.defs.backtests.backtest import (
    INSUFFICIENT_HISTORY,
    NO_ACTUALS,
    OK,
    PARTIAL_HORIZON,
    run_backtest,
)
from fernway_ml.defs.demand import data
from fernway_ml.defs.demand.config import BacktestConfig
from tests.conftest import END, START

BACKTEST_DATE = pd.Timestamp("2026-06-01")


@pytest.fixture
def history(warehouse) -> pd.Series:
    return data.daily_orders(warehouse)


def test_backtest_predictions_ignore_every_day_from_the_backtest_date_on(history) -> None:
    config = BacktestConfig()
    future = history.index >= BACKTEST_DATE
    tampered = history.where(~future, history * 10)
    honest = run_backtest(history, None, BACKTEST_DATE, 7, config)
    leaked = run_backtest(tampered, None, BACKTEST_DATE, 7, config)
    assert honest.status == leaked.status == OK
    columns = ["forecast", "lower", "upper", "naive"]
    pd.testing.assert_frame_equal(honest.predictions[columns], leaked.predictions[columns])
    assert honest.rows[0]["train_end"] < BACKTEST_DATE.date()
    # ...while the scored actuals are the tampered ones, so the check above could have failed.
    assert leaked.rows[0]["mape"] > honest.rows[0]["mape"]


def test_backtest_with_too_little_history_is_recorded_without_a_score(history) -> None:
    early = pd.Timestamp(START) + pd.Timedelta(days=14)
    test = run_backtest(history, None, early, 7, BacktestConfig())
    assert test.status == INSUFFICIENT_HISTORY
    assert [row["model"] for row in test.rows] == ["forecast", "naive_seasonal"]
    assert all(row["training_days"] == 14 for row in test.rows)
    assert all(row["mape"] is None and row["scored_days"] == 0 for row in test.rows)
    assert "min_history_days=28" in test.rows[0]["note"]


@pytest.mark.parametrize(
    ("days_before_end", "status", "scored"), [(3, PARTIAL_HORIZON, 3), (0, NO_ACTUALS, 0)]
)
def test_a_horizon_past_the_data_is_scored_on_what_exists_and_says_so(
    history, days_before_end, status, scored
) -> None:
    date = pd.Timestamp(END) - pd.Timedelta(days=days_before_end)
    test = run_backtest(history, None, date, 7, BacktestConfig())
    assert test.status == status
    assert all(row["scored_days"] == scored for row in test.rows)
    assert all((row["mape"] is None) == (scored == 0) for row in test.rows)
