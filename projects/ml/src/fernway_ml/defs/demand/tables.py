"""The forecast run as warehouse tables (Arrow) and as metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dagster as dg
import pyarrow as pa

from fernway_ml.defs.demand.config import ForecastConfig
from fernway_ml.defs.demand.forecast import MODEL, NAIVE, ForecastRun

FORECAST_SCHEMA = pa.schema(
    [
        ("forecast_date", pa.date32()),
        ("forecast_orders", pa.float64()),
        ("lower_bound", pa.float64()),
        ("upper_bound", pa.float64()),
        ("interval_level", pa.float64()),
        ("naive_forecast", pa.float64()),
        ("trained_through", pa.date32()),
        ("weather_features", pa.bool_()),
    ]
)
ACCURACY_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("holdout_start", pa.date32()),
        ("holdout_end", pa.date32()),
        ("scored_days", pa.int32()),
        ("mape", pa.float64()),
        ("mae", pa.float64()),
        ("bias", pa.float64()),
    ]
)


def forecast_table(run: ForecastRun, config: ForecastConfig) -> pa.Table:
    """One row per forecast day."""
    days = run.forecast.index
    return pa.table(
        {
            "forecast_date": [d.date() for d in days],
            "forecast_orders": run.forecast["forecast"].to_numpy(),
            "lower_bound": run.forecast["lower"].to_numpy(),
            "upper_bound": run.forecast["upper"].to_numpy(),
            "interval_level": [config.interval_level] * len(days),
            "naive_forecast": run.forecast["naive"].to_numpy(),
            "trained_through": [run.fitted.train_end.date()] * len(days),
            "weather_features": [run.fitted.weather_fill is not None] * len(days),
        },
        schema=FORECAST_SCHEMA,
    )


def accuracy_table(run: ForecastRun) -> pa.Table:
    """One row per model (the forecast and the naive seasonal baseline) on the holdout."""
    start: dt.date = run.holdout.index.min().date()
    end: dt.date = run.holdout.index.max().date()
    rows = [
        {"model": name, "holdout_start": start, "holdout_end": end, **run.accuracy[name]}
        for name in (MODEL, NAIVE)
    ]
    return pa.Table.from_pylist(rows, schema=ACCURACY_SCHEMA)


def accuracy_metadata(run: ForecastRun) -> dict[str, Any]:
    """Accuracy figures of both models, their ratio and a markdown table."""
    model, naive = run.accuracy[MODEL], run.accuracy[NAIVE]
    lines = ["| model | MAPE | MAE (orders/day) | bias (orders/day) |", "| --- | --- | --- | --- |"]
    metadata: dict[str, Any] = {}
    for name, scores in ((MODEL, model), (NAIVE, naive)):
        lines.append(
            f"| {name} | {scores['mape']:.2%} | {scores['mae']:.1f} | {scores['bias']:+.1f} |"
        )
        prefix = "" if name == MODEL else "naive_"
        metadata.update({f"{prefix}{k}": float(scores[k]) for k in ("mape", "mae", "bias")})
    metadata["mape_vs_naive"] = float(model["mape"] / naive["mape"]) if naive["mape"] else None
    metadata["holdout_days"] = int(model["scored_days"])
    metadata["accuracy"] = dg.MetadataValue.md("\n".join(lines))
    return metadata
