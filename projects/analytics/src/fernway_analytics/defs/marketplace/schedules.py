"""Runs the daily refresh at 02:00 UTC for the day that just ended."""

import dagster as dg

from fernway_analytics.defs.marketplace.jobs import daily_refresh_job

daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job,
    hour_of_day=2,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
