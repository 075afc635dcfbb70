"""The health checks every 15 minutes."""

import dagster as dg

from fernway_couriers.defs.monitoring.jobs import pipeline_monitoring

pipeline_monitoring_schedule = dg.ScheduleDefinition(
    name="pipeline_monitoring_schedule",
    job=pipeline_monitoring,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every 15 minutes: probe every external system the platform uses.",
)
