"""One back-test: fit on the days before a date, score the days after it, model and naive."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fernway_ml.defs.demand import model
from fernway_ml.defs.demand.config import ModelConfig
from fernway_ml.defs.demand.forecast import MODEL, NAIVE, weather_note
from fernway_ml.defs.demand.metrics import accuracy, naive_seasonal

OK = "ok"
PARTIAL_HORIZON = "partial_horizon"  # scored, but on fewer days than the horizon
INSUFFICIENT_HISTORY = "insufficient_history"
NO_ACTUALS = "no_actuals"


@dataclass(frozen=True)
class Backtest:
    """What one back-test date produced: a table row per model and the scored predictions."""

    rows: list[dict]
    predictions: pd.DataFrame  # forecast, lower, upper, naive, actual per horizon day (or empty)

    @property
    def status(self) -> str:
        """ok, partial_horizon, insufficient_history or no_actuals."""
        return self.rows[0]["status"]


def run_backtest(
    history: pd.Series,
    weather: pd.DataFrame | None,
    backtest_date: pd.Timestamp,
    horizon_days: int,
    config: ModelConfig,
) -> Backtest:
    """Train on days < `backtest_date` only; score [backtest_date, + horizon_days)."""
    train = model.training_slice(history, backtest_date, config)
    days = pd.date_range(backtest_date, periods=horizon_days, freq="D")
    actual = history.reindex(days)
    base = {
        "backtest_date": backtest_date.date(),
        "horizon_days": horizon_days,
        "train_start": train.index.min().date() if len(train) else None,
        "train_end": train.index.max().date() if len(train) else None,
        "training_days": len(train),
    }
    empty = {"scored_days": 0, "mape": None, "mae": None, "bias": None}
    if len(train) < config.min_history_days:
        note = f"{len(train)} training days < min_history_days={config.min_history_days}"
        return Backtest(_rows(base, INSUFFICIENT_HISTORY, note, empty, empty), pd.DataFrame())
    if actual.notna().sum() == 0:
        note = "no orders recorded in the scored horizon"
        return Backtest(_rows(base, NO_ACTUALS, note, empty, empty), pd.DataFrame())
    predictions = model.predict(model.fit(train, config, weather), days)
    predictions["naive"] = naive_seasonal(train, days, config.season_length)
    predictions["actual"] = actual
    scored = int(actual.notna().sum())
    status = OK if scored == horizon_days else PARTIAL_HORIZON
    note = f"scored {scored} of {horizon_days} days; weather " + weather_note(
        config, weather, train
    )
    model_scores = accuracy(actual, predictions["forecast"])
    naive_scores = accuracy(actual, predictions["naive"])
    return Backtest(_rows(base, status, note, model_scores, naive_scores), predictions)


def _rows(base: dict, status: str, note: str, forecast: dict, naive: dict) -> list[dict]:
    return [
        {**base, "model": name, "status": status, "note": note, **scores}
        for name, scores in ((MODEL, forecast), (NAIVE, naive))
    ]
