"""The daily schedule asks for yesterday's partition at 02:00 UTC."""

import datetime as dt

import dagster as dg


def test_daily_schedule_requests_the_day_that_just_ended(defs, instance):
    schedule = defs.resolve_schedule_def("daily_refresh_job_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    tick = dt.datetime(2026, 9, 15, 2, 0, tzinfo=dt.UTC)
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
    data = schedule.evaluate_tick(context)
    assert [r.partition_key for r in data.run_requests] == ["2026-09-14"]
