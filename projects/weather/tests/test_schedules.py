"""Schedules: the hour in progress every hour at :50, today's forecast at 06:00 UTC."""

import datetime as dt

import dagster as dg


def test_hourly_schedule_asks_for_the_hour_in_progress(defs, instance):
    schedule = defs.resolve_schedule_def("hourly_actual_weather_schedule")
    assert schedule.cron_schedule == "50 * * * *"
    assert schedule.job_name == "actual_weather_job"
    for hour in (0, 13, 23):
        tick = dt.datetime(2026, 9, 15, hour, 50, tzinfo=dt.UTC)
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        data = schedule.evaluate_tick(context)
        assert [r.partition_key for r in data.run_requests] == [f"2026-09-15-{hour:02d}:00"]


def test_daily_forecast_schedule_runs_once_a_day_at_six(defs, instance):
    schedule = defs.resolve_schedule_def("daily_forecast_weather_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "UTC")
    assert schedule.job_name == "forecast_weather_job"
    tick = dt.datetime(2026, 9, 15, 6, tzinfo=dt.UTC)
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
    assert len(schedule.evaluate_tick(context).run_requests) == 1


def test_both_schedules_run_by_default(defs):
    for name in ("hourly_actual_weather_schedule", "daily_forecast_weather_schedule"):
        assert defs.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING
