"""model_stats rows as Arrow and as per-partition metadata."""

from __future__ import annotations

import pyarrow as pa

from fernway_ml.defs.backtests.backtest import Backtest
from fernway_ml.defs.demand.forecast import MODEL, NAIVE

MODEL_STATS_SCHEMA = pa.schema(
    [
        ("backtest_date", pa.date32()),
        ("model", pa.string()),
        ("status", pa.string()),
        ("note", pa.string()),
        ("horizon_days", pa.int32()),
        ("train_start", pa.date32()),
        ("train_end", pa.date32()),
        ("training_days", pa.int32()),
        ("scored_days", pa.int32()),
        ("mape", pa.float64()),
        ("mae", pa.float64()),
        ("bias", pa.float64()),
    ]
)


def model_stats_table(backtests: list[Backtest]) -> pa.Table:
    """Two rows (model, naive) per back-test date."""
    rows = [row for test in backtests for row in test.rows]
    return pa.Table.from_pylist(rows, schema=MODEL_STATS_SCHEMA)


def partition_metadata(test: Backtest) -> dict[str, object]:
    """Status, sizes and the metrics of both models (absent when there is no score)."""
    by_model = {row["model"]: row for row in test.rows}
    first = by_model[MODEL]
    metadata: dict[str, object] = {
        "status": test.status,
        "note": first["note"],
        "training_days": first["training_days"],
        "scored_days": first["scored_days"],
    }
    for name, prefix in ((MODEL, ""), (NAIVE, "naive_")):
        for metric in ("mape", "mae", "bias"):
            if by_model[name][metric] is not None:
                metadata[f"{prefix}{metric}"] = float(by_model[name][metric])
    return metadata
