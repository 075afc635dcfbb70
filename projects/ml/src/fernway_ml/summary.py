"""This location's section of the demo summary: forecast accuracy against the naive baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fernway_core.warehouse import Warehouse


def summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Holdout MAPE / MAE / bias of the forecast and of the naive seasonal forecast."""
    rows = warehouse.query_arrow(
        "select model, mape, mae, bias, scored_days from ml.forecast_accuracy order by model"
    ).to_pylist()
    lines = [
        f"{row['model']:<16} MAPE {float(row['mape']):6.1%}  MAE {float(row['mae']):8.1f}"
        f"  bias {float(row['bias']):+8.1f} orders/day over {row['scored_days']} days"
        for row in rows
    ]
    by_model = {row["model"]: float(row["mape"]) for row in rows}
    if by_model.get("naive_seasonal"):
        ratio = by_model.get("forecast", float("nan")) / by_model["naive_seasonal"]
        lines.append(f"forecast MAPE / naive seasonal MAPE = {ratio:.2f}")
    return [{"title": "Demand forecast accuracy (holdout; lower is better)", "lines": lines}]
