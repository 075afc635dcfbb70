"""Accuracy figures and the naive seasonal baseline every forecast is compared with."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def naive_seasonal(train: pd.Series, days: pd.DatetimeIndex, season_length: int) -> pd.Series:
    """Each day gets the last training value one or more whole seasons earlier (NaN if none)."""
    values = []
    last = train.index.max() if len(train) else None
    for day in days:
        lag = pd.Timedelta(days=season_length)
        source = day - lag
        while last is not None and source > last:
            source -= lag
        values.append(train.get(source, math.nan) if last is not None else math.nan)
    return pd.Series(values, index=days, dtype=float)


def accuracy(actual: pd.Series, predicted: pd.Series) -> dict[str, float | int | None]:
    """MAPE (fraction), MAE and bias (mean forecast - actual, orders/day) on the days both have."""
    both = pd.concat([actual.rename("a"), predicted.rename("p")], axis=1).dropna()
    both = both[both["a"] > 0]
    if both.empty:
        return {"scored_days": 0, "mape": None, "mae": None, "bias": None}
    error = both["p"].to_numpy(dtype=float) - both["a"].to_numpy(dtype=float)
    return {
        "scored_days": len(both),
        "mape": float(np.mean(np.abs(error) / both["a"].to_numpy(dtype=float))),
        "mae": float(np.mean(np.abs(error))),
        "bias": float(np.mean(error)),
    }
