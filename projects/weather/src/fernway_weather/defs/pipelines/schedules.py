"""Hourly actuals (during the hour, from current weather) and a daily forecast at 06:00 UTC."""

import dagster as dg

from fernway_weather.defs.pipelines.jobs import actual_weather_job, forecast_weather_job

hourly_actual_weather_schedule = dg.build_schedule_from_partitioned_job(
    actual_weather_job,
    name="hourly_actual_weather_schedule",
    minute_of_hour=50,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

daily_forecast_weather_schedule = dg.ScheduleDefinition(
    name="daily_forecast_weather_schedule",
    job=forecast_weather_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
