"""How jobs select the two dbt stages of the couriers location (run, then test)."""

import dagster as dg

from fernway_couriers.defs.transform.assets import couriers_dbt_models
from fernway_couriers.defs.transform.checks import couriers_dbt_tests

# The models without their tests: `dbt build --exclude resource_type:test` (unit tests gate it).
DBT_RUN = dg.AssetSelection.assets(couriers_dbt_models).without_checks()
# The data tests alone, on the warehouse as it stands: `dbt test`, nothing rebuilt.
DBT_TEST = dg.AssetSelection.checks(couriers_dbt_tests)
# Both stages in one run: the test step starts after the build step.
DBT_RUN_AND_TEST = DBT_RUN | DBT_TEST
