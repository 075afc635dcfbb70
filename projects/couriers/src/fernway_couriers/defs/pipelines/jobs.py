"""The couriers pipelines, each a selection by group (see `selections`)."""

import dagster as dg

from fernway_couriers.defs.pipelines.selections import (
    DLT_LOADS,
    EVERYTHING,
    NETWORK_RETRY,
    QUALITY_CHECKS,
    TRANSFORMS,
    UNVALIDATED_REFRESH,
)

VALIDATION_TAG = "fernway/validation"
BYPASSED = "bypassed"

daily_data_pipeline = dg.define_asset_job(
    "daily_data_pipeline",
    selection=EVERYTHING,
    description="Everything: loads (courier app, timesheets, Airbyte), dbt run and tests, "
    "Great Expectations checks (blocking), the DataHub catalog.",
    op_retry_policy=NETWORK_RETRY,
)

incremental_sync_pipeline = dg.define_asset_job(
    "incremental_sync_pipeline",
    selection=DLT_LOADS | TRANSFORMS,
    description="The courier-app loads (incremental on updated_at) and the dbt models after them.",
    op_retry_policy=NETWORK_RETRY,
)

transformation_pipeline = dg.define_asset_job(
    "transformation_pipeline",
    selection=TRANSFORMS,
    description="dbt only: run the models, then their tests (and the GX checks on the marts).",
)

data_quality_pipeline = dg.define_asset_job(
    "data_quality_pipeline",
    selection=QUALITY_CHECKS,
    description="Checks only, no load and no model run: dbt tests and Great Expectations checks.",
)

emergency_data_refresh = dg.define_asset_job(
    "emergency_data_refresh",
    selection=UNVALIDATED_REFRESH,
    description="EMERGENCY: loads and dbt models with EVERY check skipped (validation "
    "bypassed); `validation_bypass_alert` alerts when it starts and records each skipped check.",
    tags={VALIDATION_TAG: BYPASSED},
    op_retry_policy=NETWORK_RETRY,
)
