"""The monitoring job runs every 15 minutes; failed runs of the location are alerted."""

import datetime as dt

import dagster as dg

from fernway_couriers.defs.monitoring.jobs import pipeline_monitoring
from fernway_couriers.defs.monitoring.schedules import pipeline_monitoring_schedule
from fernway_couriers.defs.monitoring.sensors import run_failure_alert


def test_monitoring_runs_every_quarter_hour(instance):
    schedule = pipeline_monitoring_schedule
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("*/15 * * * *", "UTC")
    assert schedule.job_name == "pipeline_monitoring"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    for minute in (0, 15, 30, 45):
        tick = dt.datetime(2026, 9, 15, 13, minute, tzinfo=dt.UTC)
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        (request,) = pipeline_monitoring_schedule.evaluate_tick(context).run_requests
        assert request.job_name in (None, "pipeline_monitoring")


def test_failed_runs_of_the_location_are_alerted():
    assert isinstance(run_failure_alert, dg.RunStatusSensorDefinition)
    assert run_failure_alert.default_status == dg.DefaultSensorStatus.RUNNING
    defs = dg.Definitions(jobs=[pipeline_monitoring], sensors=[run_failure_alert])
    assert defs.resolve_sensor_def("run_failure_alert").required_resource_keys == {"alerts"}
