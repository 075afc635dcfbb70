"""The GitHub loads run every 30 minutes, beside the freshness automation."""

import datetime as dt

import dagster as dg


def test_the_load_schedule_asks_for_one_load_every_half_hour(defs, instance):
    schedule = defs.resolve_schedule_def("github_load_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("*/30 * * * *", "UTC")
    assert schedule.job_name == "github_load_job"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    for minute in (0, 30):
        tick = dt.datetime(2026, 9, 15, 13, minute, tzinfo=dt.UTC)
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        assert len(schedule.evaluate_tick(context).run_requests) == 1
