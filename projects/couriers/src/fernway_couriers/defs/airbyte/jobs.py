"""The reference system's `airbyte_sync_job`: one Airbyte sync of every stream."""

import dagster as dg

airbyte_sync_job = dg.define_asset_job(
    "airbyte_sync_job",
    selection=dg.AssetSelection.groups("airbyte"),
    description="Sync the courier app's GitHub releases and issues with Airbyte's GitHub source.",
)
