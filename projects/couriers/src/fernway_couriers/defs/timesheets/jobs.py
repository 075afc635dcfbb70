"""The job that loads timesheet files: the entries asset and its checks."""

import dagster as dg

from fernway_couriers.defs.timesheets.assets import ENTRIES_KEY

timesheet_files_job = dg.define_asset_job(
    "timesheet_files_job",
    selection=dg.AssetSelection.assets(ENTRIES_KEY),
    description=(
        "Load courier timesheet files from S3 into timesheets.entries: the files the run config "
        "lists (one per sensor request), or every file not loaded yet."
    ),
)
