"""Score the model on a holdout against the naive baseline, then forecast the horizon."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fernway_ml.defs.demand import model
from fernway_ml.defs.demand.config import ForecastConfig, ModelConfig
from fernway_ml.defs.demand.metrics import accuracy, naive_seasonal

MODEL = "forecast"
NAIVE = "naive_seasonal"


class NotEnoughHistoryError(ValueError):
    """Too few days of orders to fit the model (the message says how many are needed)."""


@dataclass(frozen=True)
class ForecastRun:
    """The holdout evaluation, the forward forecast and the model that made it."""

    history: pd.Series
    holdout: pd.DataFrame  # actual, forecast, lower, upper, naive per holdout day
    accuracy: dict[str, dict]  # MODEL / NAIVE -> scored_days, mape, mae, bias
    forecast: pd.DataFrame  # forecast, lower, upper, naive per future day
    fitted: model.Fitted
    weather_note: str


def weather_note(config: ModelConfig, weather: pd.DataFrame | None, train: pd.Series) -> str:
    """Why weather features were or were not used for a fit on `train`."""
    if not config.use_weather:
        return "not used: disabled by config"
    if weather is None:
        return "not used: weather.fct_weather_actual does not exist"
    covered = int(pd.DatetimeIndex(train.index).isin(weather.index).sum())
    if covered < len(train):
        return f"not used: weather covers {covered} of {len(train)} training days"
    return f"used: temperature and precipitation on all {len(train)} training days"


def evaluate_and_forecast(
    history: pd.Series, weather: pd.DataFrame | None, config: ForecastConfig
) -> ForecastRun:
    """Fit before the holdout and score it (model and naive), then refit on all and forecast."""
    if history.empty:
        raise NotEnoughHistoryError("analytics.daily_order_summary has no rows")
    last = history.index.max()
    cutoff = last - pd.Timedelta(days=config.holdout_days - 1)
    train = model.training_slice(history, cutoff, config)
    if len(train) < config.min_history_days:
        raise NotEnoughHistoryError(
            f"{len(train)} days of orders before the {config.holdout_days}-day holdout; "
            f"need min_history_days={config.min_history_days} "
            f"({config.min_history_days + config.holdout_days} days in all, have {len(history)})"
        )
    holdout_days = pd.date_range(cutoff, last, freq="D")
    holdout = model.predict(model.fit(train, config, weather), holdout_days)
    holdout["naive"] = naive_seasonal(train, holdout_days, config.season_length)
    holdout["actual"] = history.reindex(holdout_days)
    scores = {
        MODEL: accuracy(holdout["actual"], holdout["forecast"]),
        NAIVE: accuracy(holdout["actual"], holdout["naive"]),
    }
    full = model.training_slice(history, last + pd.Timedelta(days=1), config)
    fitted = model.fit(full, config, weather)
    future = model.next_days(last, config.horizon_days)
    forecast = model.predict(fitted, future)
    forecast["naive"] = naive_seasonal(full, future, config.season_length)
    note = weather_note(config, weather, full)
    return ForecastRun(history, holdout, scores, forecast, fitted, note)
