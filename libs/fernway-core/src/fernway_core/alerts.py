"""Alerts: one `Alert` shape, pluggable sinks, and a resource that picks the sink by name."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import dagster as dg
from pydantic import Field

from fernway_core.settings import get_settings

Severity = Literal["info", "warning", "error", "critical"]
ALERTS_FILE = "alerts.jsonl"
_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


@dataclass(frozen=True)
class Alert:
    """Something a person should look at."""

    title: str
    text: str = ""
    severity: Severity = "error"
    run_id: str | None = None
    asset_key: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


class AlertDeliveryError(RuntimeError):
    """A sink could not deliver an alert; the message is one line."""


class AlertSink(Protocol):
    """Delivers alerts somewhere."""

    def send(self, alert: Alert) -> None:
        """Deliver one alert."""
        ...


class LogSink:
    """Logs each alert and appends it as one JSON line to `<data_dir>/alerts.jsonl`."""

    def __init__(self, path: Path, logger: logging.Logger | None = None) -> None:
        self.path = path
        self.logger = logger or dg.get_dagster_logger("fernway_core.alerts")

    def send(self, alert: Alert) -> None:
        """Log the alert and append it to the JSON-lines file."""
        where = " ".join(
            f"{k}={v}" for k, v in (("asset", alert.asset_key), ("run", alert.run_id)) if v
        )
        level = _LEVELS.get(alert.severity, logging.CRITICAL)
        self.logger.log(
            level, f"ALERT [{alert.severity}] {alert.title}: {alert.text} {where}".strip()
        )
        record = {"sent_at": dt.datetime.now(dt.UTC).isoformat(), **asdict(alert)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, default=str, sort_keys=True) + "\n")


def read_alerts(path: Path) -> list[dict[str, Any]]:
    """Every alert a `LogSink` wrote to `path`, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class AlertResource(dg.ConfigurableResource):
    """Sends alerts through the sink named by `sink` (see `SINKS`)."""

    sink: str = Field("log", description="Name of the sink in fernway_core.alerts.SINKS.")
    data_dir: str | None = Field(None, description="Where LogSink writes; default settings.")

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


def _slack_sink(resource: AlertResource) -> AlertSink:
    """The Slack sink from settings (imported on use: slack_sdk is not needed for logging)."""
    from fernway_core.slack import SlackSink

    return SlackSink.from_settings(get_settings())


# Adding a sink: write a class with `send(alert)` and register a factory for it here.
SINKS: dict[str, Callable[[AlertResource], AlertSink]] = {
    "log": lambda resource: LogSink(resource.alerts_path),
    "slack": _slack_sink,
}
