"""Alerts: the log sink logs and appends JSON lines; the resource picks sinks by name."""

from __future__ import annotations

import ast
import datetime as dt
import logging
from pathlib import Path

import pytest

from fernway_core import alerts
from fernway_core.alerts import Alert, LogSink, read_alerts
from fernway_core.sinks import SINKS, AlertResource


def test_log_sink_logs_and_appends_json_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "alerts.jsonl"
    sink = LogSink(path)
    before = dt.datetime.now(dt.UTC)
    with caplog.at_level(logging.INFO):
        sink.send(
            Alert(
                "Freshness SLA missed", "raw.orders is 30 h old", "warning", asset_key="raw/orders"
            )
        )
        sink.send(Alert("Run failed", run_id="abc123", fields={"job": "daily"}))
    after = dt.datetime.now(dt.UTC)
    alerts = read_alerts(path)
    assert [a["title"] for a in alerts] == ["Freshness SLA missed", "Run failed"]
    assert alerts[0]["severity"] == "warning"
    assert alerts[0]["asset_key"] == "raw/orders"
    assert alerts[1]["fields"] == {"job": "daily"}
    assert alerts[1]["run_id"] == "abc123"
    sent = [dt.datetime.fromisoformat(a["sent_at"]) for a in alerts]  # ISO 8601, in UTC
    assert [s.utcoffset() for s in sent] == [dt.timedelta(0)] * 2
    assert before <= sent[0] <= sent[1] <= after
    assert (
        "ALERT [warning] Freshness SLA missed: raw.orders is 30 h old asset=raw/orders"
        in caplog.text
    )
    assert any(r.levelno == logging.ERROR and "Run failed" in r.message for r in caplog.records)


def test_alert_resource_sends_through_the_named_sink(tmp_path: Path) -> None:
    resource = AlertResource(sink="log", data_dir=str(tmp_path))
    resource.send(Alert("Check failed", "3 rejected orders", "error"))
    assert resource.alerts_path == tmp_path / "alerts.jsonl"
    assert [a["text"] for a in read_alerts(resource.alerts_path)] == ["3 rejected orders"]


def test_alert_resource_defaults_to_settings_data_dir(repo: Path) -> None:
    AlertResource().send(Alert("hello"))
    assert [a["title"] for a in read_alerts(repo / "data" / "alerts.jsonl")] == ["hello"]


def test_unknown_sink_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown alert sink 'pager'; known: log, slack"):
        AlertResource(sink="pager", data_dir=str(tmp_path)).send(Alert("x"))


def test_a_new_sink_is_one_class_and_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Alert] = []

    class ListSink:
        def send(self, alert: Alert) -> None:
            sent.append(alert)

    monkeypatch.setitem(SINKS, "list", lambda resource: ListSink())
    AlertResource(sink="list").send(Alert("routed"))
    assert [a.title for a in sent] == ["routed"]


def test_reading_alerts_when_none_were_sent_is_empty(tmp_path: Path) -> None:
    assert read_alerts(tmp_path / "alerts.jsonl") == []


def test_alerts_imports_no_sink_module_so_imports_point_one_way() -> None:
    tree = ast.parse(Path(alerts.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {"fernway_core.slack", "fernway_core.sinks"} & imported
