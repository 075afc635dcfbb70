"""The daily pipeline at 02:00 UTC and the incremental sync every 6 hours."""

import datetime as dt

import dagster as dg
import pytest

from fernway_couriers.defs.pipelines.schedules import (
    daily_data_pipeline_schedule,
    incremental_sync_schedule,
)


@pytest.mark.parametrize(
    ("schedule", "cron", "job", "hours"),
    [
        (daily_data_pipeline_schedule, "0 2 * * *", "daily_data_pipeline", [2]),
        (incremental_sync_schedule, "0 */6 * * *", "incremental_sync_pipeline", [0, 6, 12, 18]),
    ],
)
def test_each_schedule_requests_one_run_of_its_job_at_its_hours(
    instance, schedule, cron, job, hours
):
    assert (schedule.cron_schedule, schedule.execution_timezone) == (cron, "UTC")
    assert schedule.job_name == job
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    for hour in hours:
        tick = dt.datetime(2026, 9, 15, hour, 0, tzinfo=dt.UTC)
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        (request,) = schedule.evaluate_tick(context).run_requests
        assert request.job_name in (None, job)
