"""Slack alert sink: posts each alert to a channel through slack_sdk's WebClient."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from fernway_core.alerts import Alert, AlertDeliveryError
from fernway_core.settings import FernwaySettings

EMOJI = {"info": ":information_source:", "warning": ":warning:", "critical": ":fire:"}


def _show(value: Any) -> str:
    """A field value on one line (lists joined by commas)."""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def format_alert(alert: Alert) -> str:
    """Slack mrkdwn text naming the alert's title, severity, run, asset and fields."""
    lines = [f"{EMOJI.get(alert.severity, ':rotating_light:')} *[{alert.severity}] {alert.title}*"]
    if alert.text:
        lines.append(alert.text)
    where = (("run", alert.run_id), ("asset", alert.asset_key))
    if any(value for _, value in where):
        lines.append(" | ".join(f"{name}: `{value}`" for name, value in where if value))
    lines += [f"{name}: {_show(value)}" for name, value in alert.fields.items()]
    return "\n".join(lines)


class SlackSink:
    """Posts alerts with `chat.postMessage`; a failed post raises `AlertDeliveryError`."""

    def __init__(self, token: str, channel: str, base_url: str = "https://slack.com/api/") -> None:
        self.channel = channel
        self.client = WebClient(
            token=token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=10,
            retry_handlers=[
                ConnectionErrorRetryHandler(),
                RateLimitErrorRetryHandler(max_retry_count=2),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )

    @classmethod
    def from_settings(cls, settings: FernwaySettings) -> SlackSink:
        """The sink for FERNWAY_SLACK_TOKEN, FERNWAY_SLACK_CHANNEL and FERNWAY_SLACK_BASE_URL."""
        if settings.slack_token is None:
            raise AlertDeliveryError("the slack alert sink needs FERNWAY_SLACK_TOKEN (xoxb-...)")
        return cls(
            settings.slack_token.get_secret_value(), settings.slack_channel, settings.slack_base_url
        )

    def send(self, alert: Alert) -> None:
        """Post one alert to the channel."""
        try:
            self.client.chat_postMessage(channel=self.channel, text=format_alert(alert))
        except SlackApiError as exc:
            reason = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            raise AlertDeliveryError(self._failed(reason)) from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise AlertDeliveryError(self._failed(f"{type(exc).__name__}: {exc}")) from exc

    def _failed(self, reason: object) -> str:
        """One line: where the post went and why it failed."""
        text = " ".join(str(reason).split())
        return f"Slack post to {self.channel} at {self.client.base_url} failed: {text}"
