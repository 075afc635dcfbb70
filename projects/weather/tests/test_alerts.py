"""A failed weather run posts exactly one Slack message naming the run and the failed step."""

import json

import pytest

from fernway_core.settings import get_settings
from fernway_devtools.alerting import main as alert_drill
from fernway_devtools.alerting import notify_run_failure
from fernway_devtools.locations import load_location


@pytest.fixture
def revoked_key(weather_sandbox, monkeypatch):
    """Alerts to the sandbox's Slack, and a weather API key the API refuses."""
    monkeypatch.setenv("FERNWAY_ALERT_SINK", "slack")
    monkeypatch.setenv("FERNWAY_WEATHER_API_KEY", "revoked-key")
    get_settings.cache_clear()
    return weather_sandbox


def test_a_forced_failure_posts_one_slack_message_naming_run_and_step(revoked_key, instance):
    defs = load_location("fernway_weather.definitions")
    job = defs.resolve_job_def("forecast_weather_job")
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    assert notify_run_failure(defs, instance, result) == ["run_failure_alert"]
    [message] = revoked_key.slack_messages
    text = message["text"]
    assert message["channel_name"] == "#data-alerts"
    assert "Run failed: forecast_weather_job" in text
    assert result.run_id in text
    assert "failed_steps: raw__weather_forecast\n" in text
    assert "401 UNAUTHORIZED: Invalid API key" in text
    assert "revoked-key" not in text
    # a 401 is not retried: the key will not fix itself
    assert revoked_key.truth["weather"]["unauthorized"] == 1


def test_the_alert_drill_command_fails_the_job_and_alerts_once(revoked_key, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    report = tmp_path / "drill.json"
    code = alert_drill(
        ["fernway_weather.definitions", "--job", "forecast_weather_job", "--report", str(report)]
    )
    assert code == 0
    drill = json.loads(report.read_text())
    assert drill["failed_steps"] == ["raw__weather_forecast"]
    [message] = revoked_key.slack_messages
    assert drill["run_id"] in message["text"]
