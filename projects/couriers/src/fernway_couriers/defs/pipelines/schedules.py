"""The daily pipeline at 02:00 UTC and the incremental sync every 6 hours."""

import dagster as dg

from fernway_couriers.defs.pipelines.jobs import daily_data_pipeline, incremental_sync_pipeline

daily_data_pipeline_schedule = dg.ScheduleDefinition(
    name="daily_data_pipeline_schedule",
    job=daily_data_pipeline,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="02:00 UTC: the whole couriers pipeline.",
)

incremental_sync_schedule = dg.ScheduleDefinition(
    name="incremental_sync_schedule",
    job=incremental_sync_pipeline,
    cron_schedule="0 */6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 6 hours: incremental courier-app loads and the dbt models.",
)
