"""The daily-orders model: ridge regression of log orders on trend, season and weather.

log(orders) ~ trend + season position (one-hot) [+ daily mean temperature and precipitation].
The prediction interval assumes normal residuals on the log scale (in-sample residual spread).
Weather on forecast days is unknown when forecasting, so every predicted day gets the mean
weather of the last training week (persistence); the holdout and back-tests are scored the same
way, so they measure what the forward forecast can actually do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from fernway_ml.defs.demand.config import ModelConfig

SEASON_EPOCH = pd.Timestamp("2024-01-01")  # a Monday: with a 7-day season, position 0 = Monday
WEATHER_COLUMNS = ["temp_c", "precip_mm"]
PERSISTENCE_DAYS = 7


@dataclass(frozen=True)
class Fitted:
    """A fitted model and what it was fitted on."""

    regression: Any  # sklearn Ridge
    config: ModelConfig
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    training_days: int
    sigma: float
    weather_fill: pd.Series | None  # standardized persistence weather for predicted days


def training_slice(history: pd.Series, cutoff: pd.Timestamp, config: ModelConfig) -> pd.Series:
    """Days strictly before `cutoff`, limited to the configured training window."""
    train = history[history.index < cutoff]
    if config.training_window_days is not None:
        train = train[train.index >= cutoff - pd.Timedelta(days=config.training_window_days)]
    return train


def weather_covers(weather: pd.DataFrame | None, days: pd.DatetimeIndex) -> bool:
    """Whether daily weather exists for every one of `days`."""
    return weather is not None and len(days) > 0 and bool(days.isin(weather.index).all())


def _design(
    days: pd.DatetimeIndex, origin: pd.Timestamp, config: ModelConfig, weather: pd.DataFrame | None
) -> np.ndarray:
    position = np.asarray((days - SEASON_EPOCH).days) % config.season_length
    season = np.eye(config.season_length)[position][:, 1:]  # position 0 is the baseline
    parts = [season]
    if config.trend == "linear":
        parts.append((np.asarray((days - origin).days, dtype=float) / 365.0)[:, None])
    if weather is not None:
        parts.append(weather.to_numpy(dtype=float))
    return np.hstack(parts)


def fit(train: pd.Series, config: ModelConfig, weather: pd.DataFrame | None = None) -> Fitted:
    """Fit on `train` (orders per day); weather is used only if given and covering every day."""
    from sklearn.linear_model import Ridge  # imported when fitting: ~2 s off location load

    days = pd.DatetimeIndex(train.index)
    features = fill = None
    if config.use_weather and weather is not None and weather_covers(weather, days):
        raw = weather.loc[days, WEATHER_COLUMNS]
        features = (raw - raw.mean()) / raw.std(ddof=0).replace(0.0, 1.0)
        fill = features.iloc[-PERSISTENCE_DAYS:].mean()
    x = _design(days, days[0], config, features)
    y = np.log(np.maximum(train.to_numpy(dtype=float), 1.0))
    regression = Ridge(alpha=config.ridge_alpha).fit(x, y)
    dof = max(len(y) - x.shape[1] - 1, 1)
    sigma = float(np.sqrt(np.sum((y - regression.predict(x)) ** 2) / dof))
    return Fitted(regression, config, days[0], days[-1], len(days), sigma, fill)


def predict(fitted: Fitted, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Median forecast and prediction interval for `days` (all after the training days)."""
    weather = None
    if fitted.weather_fill is not None:
        weather = pd.DataFrame(
            [fitted.weather_fill.to_numpy()] * len(days), columns=WEATHER_COLUMNS
        )
    x = _design(days, fitted.train_start, fitted.config, weather)
    mean = fitted.regression.predict(x)
    z = NormalDist().inv_cdf(0.5 + fitted.config.interval_level / 2)
    return pd.DataFrame(
        {
            "forecast": np.exp(mean),
            "lower": np.exp(mean - z * fitted.sigma),
            "upper": np.exp(mean + z * fitted.sigma),
        },
        index=days,
    )


def next_days(after: dt.date | pd.Timestamp, count: int) -> pd.DatetimeIndex:
    """The `count` days following `after`."""
    return pd.date_range(pd.Timestamp(after) + pd.Timedelta(days=1), periods=count, freq="D")
