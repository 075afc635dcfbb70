"""`release_triggered_pipeline`: reload the courier app's data and rebuild its models."""

import dagster as dg

release_triggered_pipeline = dg.define_asset_job(
    "release_triggered_pipeline",
    selection=dg.AssetSelection.groups("courier_app", "couriers_dbt"),
    description=(
        "Started by courier_app_release_sensor once per new courier-app release: load the "
        "courier app's tables and rebuild the couriers dbt models."
    ),
)
