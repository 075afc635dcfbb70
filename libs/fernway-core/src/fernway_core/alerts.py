"""Alerts: the one `Alert` shape, the `AlertSink` protocol and the built-in log sink.

Sinks import this module; `fernway_core.sinks` names them and picks one (`AlertResource`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import dagster as dg

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
