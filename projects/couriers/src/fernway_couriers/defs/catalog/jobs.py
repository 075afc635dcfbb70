"""The catalog job: run after everything else so DataHub sees every asset's latest state."""

import dagster as dg

from fernway_couriers.defs.catalog.assets import KEY

datahub_catalog_job = dg.define_asset_job(
    "datahub_catalog_job",
    selection=dg.AssetSelection.assets(KEY),
    description="Emit every asset of every location to DataHub (schema, owners, tags, lineage).",
)
