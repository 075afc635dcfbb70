"""model_stats: the demand model back-tested once per week, to watch accuracy drift."""

import dagster as dg
import pandas as pd

from fernway_core.warehouse import Replacement, Warehouse
from fernway_ml.defs.backtests.backtest import run_backtest
from fernway_ml.defs.backtests.partitions import HORIZON_DAYS, WEEKLY
from fernway_ml.defs.backtests.tables import model_stats_table, partition_metadata
from fernway_ml.defs.demand import data
from fernway_ml.defs.demand.config import BacktestConfig
from fernway_ml.defs.upstream.assets import DAILY_ORDER_SUMMARY, WEATHER_ACTUAL

MODEL_STATS_KEY = dg.AssetKey(["ml", "model_stats"])
MODEL_STATS_TABLE = "ml.model_stats"


@dg.asset(
    key=MODEL_STATS_KEY,
    deps=[DAILY_ORDER_SUMMARY, WEATHER_ACTUAL],
    partitions_def=WEEKLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="backtests",
    kinds={"scikit-learn", "python", "duckdb"},
    owners=["team:ml"],
)
def model_stats(
    context: dg.AssetExecutionContext, config: BacktestConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Back-test MAPE, MAE and bias of the model and the naive baseline per week scored."""
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()
    history = data.daily_orders(warehouse, before=end)
    weather = data.daily_weather(warehouse, before=end) if config.use_weather else None
    keys = context.partition_keys
    tests = [run_backtest(history, weather, pd.Timestamp(k), HORIZON_DAYS, config) for k in keys]
    warehouse.replace_many(
        [
            Replacement(
                MODEL_STATS_TABLE,
                model_stats_table(tests),
                "backtest_date >= ? and backtest_date < ?",
                [start, end],
            )
        ]
    )
    for key, test in zip(keys, tests, strict=True):
        context.log.info(f"back-test {key}: {test.status} ({test.rows[0]['note']})")
        # Each week's own figures on its own partition, also in a single run over many weeks.
        context.add_asset_metadata(partition_metadata(test), partition_key=key)
    return dg.MaterializeResult(
        metadata={**warehouse.table_metadata(MODEL_STATS_TABLE), "dagster/partition_row_count": 2}
    )
