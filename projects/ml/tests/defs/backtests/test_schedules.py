"""Every Monday the week that just ended is back-tested."""

import datetime as dt

import dagster as dg


def test_monday_schedule_requests_the_week_that_just_ended(defs, instance) -> None:
    schedule = defs.resolve_schedule_def("ml_weekly_backtest_schedule")
    monday = dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=monday) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-16"
    assert schedule.cron_schedule == "0 6 * * 1"
