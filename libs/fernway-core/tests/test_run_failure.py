"""The run-failure sensor: one alert per failed run naming the run, job and failed steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.alerts import read_alerts
from fernway_core.run_failure import build_run_failure_alert_sensor
from fernway_core.settings import reset_settings
from fernway_core.sinks import AlertResource


@dg.op
def extract() -> int:
    return 1


@dg.op
def explode(value: int) -> int:
    raise ValueError(f"source returned {value} malformed rows")


@dg.op
def load(value: int) -> None:
    """Never runs: its input failed."""


@dg.job
def nightly_load() -> None:
    load(explode(extract()))


def fail_and_evaluate(sensor: dg.SensorDefinition, alerts: AlertResource) -> dg.DagsterRun:
    """Run nightly_load (it fails) and evaluate `sensor` on its failure event."""
    with dg.instance_for_test() as instance:
        result = nightly_load.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event(),
            resources={"alerts": alerts},
        )
        sensor(context)
        return result.dagster_run


def test_a_failed_run_posts_exactly_one_slack_message_naming_run_and_failed_step(
    repo: Path, sandbox_factory: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = sandbox_factory(services=("slack",))
    for name, value in slack.env().items():
        monkeypatch.setenv(name, value)
    reset_settings()
    run = fail_and_evaluate(build_run_failure_alert_sensor(), AlertResource(sink="slack"))
    [message] = slack.slack_messages
    assert message["channel_name"] == "#data-alerts"
    text = message["text"]
    assert "Run failed: nightly_load" in text
    assert run.run_id in text
    assert "failed_steps: explode\n" in text
    assert "load" not in text.replace("nightly_load", "")
    assert "ValueError: source returned 1 malformed rows" in text


def test_the_alert_carries_run_job_steps_and_error_through_any_sink(tmp_path: Path) -> None:
    alerts = AlertResource(sink="log", data_dir=str(tmp_path))
    run = fail_and_evaluate(build_run_failure_alert_sensor("custom_name"), alerts)
    [alert] = read_alerts(alerts.alerts_path)
    assert alert["title"] == "Run failed: nightly_load"
    assert alert["run_id"] == run.run_id
    assert alert["severity"] == "error"
    assert alert["fields"]["job"] == "nightly_load"
    assert alert["fields"]["failed_steps"] == ["explode"]
    assert alert["fields"]["error"] == "ValueError: source returned 1 malformed rows"
    assert alert["text"] == f"Run {run.run_id} of nightly_load: steps explode failed."


def test_the_sensor_is_a_running_run_failure_sensor_needing_the_alerts_resource() -> None:
    sensor = build_run_failure_alert_sensor(monitored_jobs=[nightly_load])
    assert isinstance(sensor, dg.RunStatusSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.required_resource_keys == {"alerts"}
    defs = dg.Definitions(
        jobs=[nightly_load],
        sensors=[sensor],
        resources={"alerts": AlertResource(sink="log")},
    )
    assert defs.resolve_sensor_def("run_failure_alert") is not None
