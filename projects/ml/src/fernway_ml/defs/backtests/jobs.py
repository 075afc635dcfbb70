"""The back-test job: model_stats for one week, or a range of weeks in one run."""

import dagster as dg

from fernway_ml.defs.backtests.assets import MODEL_STATS_KEY
from fernway_ml.defs.backtests.partitions import WEEKLY

ml_backtest_job = dg.define_asset_job(
    "ml_backtest_job",
    selection=dg.AssetSelection.assets(MODEL_STATS_KEY),
    partitions_def=WEEKLY,
    description="Back-test the demand model on one week (or a range of weeks in one run).",
)
