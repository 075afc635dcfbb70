"""The refresh job's run config: the forecast's and the segmentation's settings in one place."""

import dagster as dg
from pydantic import Field

from fernway_ml.config import ValidatedConfig
from fernway_ml.defs.demand.config import ForecastConfig
from fernway_ml.defs.segmentation.config import SegmentationConfig


class RefreshConfig(ValidatedConfig):
    """Run config of ml_refresh_job, e.g. `{"forecast": {"horizon_days": 28}}`."""

    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig)


@dg.config_mapping
def refresh_config(config: RefreshConfig) -> dg.RunConfig:
    """Validated (pydantic, one-line errors) when the run is requested, before it is created."""
    return dg.RunConfig(
        ops={"demand_forecast": config.forecast, "customer_segmentation": config.segmentation}
    )
