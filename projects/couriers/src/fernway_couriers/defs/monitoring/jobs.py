"""`pipeline_monitoring`: one run probes every external system and records the results."""

import dagster as dg

from fernway_couriers.defs.monitoring.assets import HEALTH_KEY

pipeline_monitoring = dg.define_asset_job(
    "pipeline_monitoring",
    selection=dg.AssetSelection.assets(HEALTH_KEY),
    description="Health-check every external system (marketplace, courier app, GitHub, weather, "
    "Slack, DataHub, S3, the warehouse); record latency and result; alert on a failure.",
)
