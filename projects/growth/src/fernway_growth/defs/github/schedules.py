"""The loads every 30 minutes (as the reference system syncs), beside the freshness automation."""

import dagster as dg

from fernway_growth.defs.github.jobs import github_load_job

github_load_schedule = dg.ScheduleDefinition(
    name="github_load_schedule",
    job=github_load_job,
    cron_schedule="*/30 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 30 minutes: one incremental load of the GitHub tables.",
)
