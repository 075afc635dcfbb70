"""The alert sinks by name, and the resource that sends through the one it is configured with.

Imports point one way: `alerts` (shapes, protocol, log sink) <- `slack` <- this module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
from pydantic import Field

from fernway_core.alerts import ALERTS_FILE, Alert, AlertSink, LogSink
from fernway_core.settings import get_settings


class AlertResource(dg.ConfigurableResource):
    """Sends alerts through the sink named by `sink` (see `SINKS`)."""

    sink: str = Field(default="log", description="Name of the sink in fernway_core.sinks.SINKS.")
    data_dir: str | None = Field(
        default=None, description="Where LogSink writes; default settings."
    )

    @property
    def alerts_path(self) -> Path:
        """The JSON-lines file the log sink appends to."""
        return Path(self.data_dir or get_settings().data_dir) / ALERTS_FILE

    def get_sink(self) -> AlertSink:
        """The configured sink."""
        if self.sink not in SINKS:
            raise ValueError(f"unknown alert sink {self.sink!r}; known: {', '.join(sorted(SINKS))}")
        return SINKS[self.sink](self)

    def send(self, alert: Alert) -> None:
        """Deliver one alert through the configured sink."""
        self.get_sink().send(alert)


def _log_sink(resource: AlertResource) -> AlertSink:
    """The log sink writing to the resource's data directory."""
    return LogSink(resource.alerts_path)


def _slack_sink(resource: AlertResource) -> AlertSink:
    """The Slack sink from settings (imported on use: slack_sdk adds ~0.3 s to every import)."""
    from fernway_core.slack import SlackSink

    return SlackSink.from_settings(get_settings())


# Adding a sink: write a class with `send(alert)` and register a factory for it here.
SINKS: dict[str, Callable[[AlertResource], AlertSink]] = {
    "log": _log_sink,
    "slack": _slack_sink,
}
