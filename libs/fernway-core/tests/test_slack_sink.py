"""The Slack alert sink against the sandbox's real Slack Web API stand-in."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from fernway_core.alerts import Alert, AlertDeliveryError
from fernway_core.settings import reset_settings
from fernway_core.sinks import AlertResource
from fernway_core.slack import SlackSink

ALERT = Alert(
    "Freshness SLA missed",
    "raw.orders is 30 h old",
    "warning",
    run_id="run-123",
    asset_key="raw/marketplace_orders",
    fields={"failed_steps": ["a", "b"], "rows": 3},
)


@pytest.fixture
def slack(repo: Path, sandbox_factory: Callable, monkeypatch: pytest.MonkeyPatch):
    """A running sandbox Slack with FERNWAY_SLACK_* pointing at it (settings re-read)."""
    sandbox = sandbox_factory(services=("slack",))
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    reset_settings()
    return sandbox


def test_alerts_are_posted_to_the_default_channel_naming_title_run_and_asset(slack) -> None:
    AlertResource(sink="slack").send(ALERT)
    [message] = slack.slack_messages
    assert message["channel_name"] == "#data-alerts"
    assert message["text"] == (
        ":warning: *[warning] Freshness SLA missed*\n"
        "raw.orders is 30 h old\n"
        "run: `run-123` | asset: `raw/marketplace_orders`\n"
        "failed_steps: a, b\n"
        "rows: 3"
    )


def test_the_channel_comes_from_settings(slack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERNWAY_SLACK_CHANNEL", "#ops")
    reset_settings()
    AlertResource(sink="slack").send(Alert("hello"))
    assert [(m["channel_name"], m["text"]) for m in slack.slack_messages] == [
        ("#ops", ":rotating_light: *[error] hello*")
    ]


def test_a_wrong_token_raises_a_one_line_error_and_posts_nothing(
    slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_SLACK_TOKEN", "xoxb-wrong")
    reset_settings()
    with pytest.raises(AlertDeliveryError) as info:
        AlertResource(sink="slack").send(ALERT)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("Slack post to #data-alerts at http://127.0.0.1:")
    assert message.endswith("failed: invalid_auth")
    assert slack.slack_messages == []


def test_a_missing_token_is_a_clear_error(slack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERNWAY_SLACK_TOKEN")
    reset_settings()
    with pytest.raises(AlertDeliveryError, match="needs FERNWAY_SLACK_TOKEN"):
        AlertResource(sink="slack").send(ALERT)


def test_server_errors_are_retried_then_raised_on_one_line(slack) -> None:
    slack.set_faults("slack", error_rate=1.0)
    sink = SlackSink("xoxb-sandbox", "#data-alerts", slack.urls["slack"] + "/api")
    with pytest.raises(AlertDeliveryError, match=r"failed: .*injected fault") as info:
        sink.send(ALERT)
    assert "\n" not in str(info.value)
    slack.set_faults("slack", error_rate=0.0)
    sink.send(ALERT)  # the base URL without a trailing slash works too
    assert len(slack.slack_messages) == 1


def test_an_unreachable_slack_raises_a_one_line_error(repo: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SlackSink("xoxb-sandbox", "#data-alerts", f"http://127.0.0.1:{port}/api/")
    with pytest.raises(AlertDeliveryError, match=r"failed: URLError: .*refused") as info:
        sink.send(ALERT)
    assert "\n" not in str(info.value)
