"""What each couriers job runs, named by the groups of the naming contract.

Selections name groups, not asset keys, so a job picks up every asset its group holds (and
each asset's checks, unless a selection drops them). Group names:
`courier_app` (dlt loads), `timesheets` (timesheet files), `airbyte` (the GitHub connector),
`couriers_dbt` (dbt models; dbt tests are their checks), `quality` (Great Expectations
assets; the GX checks themselves target the `couriers/*` marts), `catalog` (DataHub emission).
"""

import dagster as dg

DLT_LOADS = dg.AssetSelection.groups("courier_app")
LOADS = dg.AssetSelection.groups("courier_app", "timesheets", "airbyte")
TRANSFORMS = dg.AssetSelection.groups("couriers_dbt")
QUALITY = dg.AssetSelection.groups("quality")
CATALOG = dg.AssetSelection.groups("catalog")

# Everything the location builds (monitoring has its own job), with every check.
EVERYTHING = LOADS | TRANSFORMS | QUALITY | CATALOG
# Only checks, no asset: the dbt tests and the GX checks on the dbt models (and on GX assets).
QUALITY_CHECKS = dg.AssetSelection.all_asset_checks() & (TRANSFORMS | QUALITY)
# Loads and transforms with no check at all: what the emergency refresh materializes.
UNVALIDATED_REFRESH = (LOADS | TRANSFORMS).without_checks()

NETWORK_RETRY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
