"""The refresh job the sensor starts: forecast, segmentation and the report."""

import dagster as dg

from fernway_ml.defs.refresh.config import refresh_config

ml_refresh_job = dg.define_asset_job(
    "ml_refresh_job",
    selection=dg.AssetSelection.groups("demand", "segmentation", "reports"),
    config=refresh_config,
    description="Refit the demand forecast and the customer segments, then re-run the report.",
)
