"""The GitHub load as a job: every table of the `github` group in one run (one dlt load)."""

import dagster as dg

github_load_job = dg.define_asset_job(
    "github_load_job",
    selection=dg.AssetSelection.groups("github"),
    description="Load repositories, stargazers and releases of the tracked repositories.",
)
