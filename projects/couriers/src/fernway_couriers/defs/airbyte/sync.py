"""One Airbyte sync: discover (once), `read` with the stored state, records and state to the
warehouse as they arrive, connector logs to the run's log, errors to one clear failure."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.airbyte import connector, destination

BATCH_ROWS = 10_000  # records buffered per stream before a write (without a state)
LOG_LEVELS = {
    "FATAL": logging.ERROR,
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "INFO": logging.DEBUG,  # the connector is chatty; its INFO is our DEBUG
    "DEBUG": logging.DEBUG,
    "TRACE": logging.DEBUG,
}


@dataclass
class StreamOutcome:
    """What a sync did for one stream."""

    records: int = 0
    rows_written: int = 0
    rejected: int = 0
    states: int = 0
    state_before: Any = None
    state_after: Any = None
    status: str = ""
    discovered: bool = False


@dataclass
class Sync:
    """A sync in progress: the configured streams, their buffers and outcomes."""

    warehouse: Warehouse
    streams: Mapping[str, dict[str, Any]]
    now: Callable[[], dt.datetime]
    batches: dict[str, destination.Batch] = field(default_factory=dict)
    outcomes: dict[str, StreamOutcome] = field(default_factory=dict)

    def flush(self, stream: str, state: Mapping[str, Any] | None) -> None:
        """Write the stream's buffered records, with its state when one arrived."""
        batch = self.batches.pop(stream, destination.Batch())
        rows, rejected = destination.write(
            self.warehouse, self.streams[stream], batch, state, self.now()
        )
        outcome = self.outcomes[stream]
        outcome.rows_written += rows
        outcome.rejected += rejected
        if state is not None:
            outcome.states += 1
            outcome.state_after = state

    def record(self, record: Mapping[str, Any]) -> None:
        """Buffer a RECORD; write the buffer once it is full."""
        stream = record["stream"]
        if stream not in self.streams:
            raise connector.ConnectorError(f"record of unselected stream {stream!r}")
        batch = self.batches.setdefault(stream, destination.Batch())
        batch.add(record)
        self.outcomes[stream].records += 1
        if len(batch) >= BATCH_ROWS:
            self.flush(stream, None)

    def state(self, state: Mapping[str, Any]) -> None:
        """A STATE: every record before it is final, so write them together with it."""
        if state.get("type") != "STREAM":
            raise connector.ConnectorError(f"unsupported state type {state.get('type')!r}")
        stream = state["stream"]["stream_descriptor"]["name"]
        if stream not in self.streams:
            raise connector.ConnectorError(f"state of unselected stream {stream!r}")
        self.flush(stream, {"type": "STREAM", "stream": state["stream"]})


def sync(
    command: Sequence[str],
    config: Mapping[str, Any],
    warehouse: Warehouse,
    streams: Sequence[str],
    log: logging.Logger,
    now: Callable[[], dt.datetime],
) -> dict[str, StreamOutcome]:
    """Read `streams` incrementally into the warehouse; raise `ConnectorError` on any error."""
    stored = destination.saved(warehouse, streams)
    outcomes = {s: StreamOutcome(state_before=stored.get(s, {}).get("state")) for s in streams}
    catalog = {s: stored[s]["catalog"] for s in streams if s in stored}
    if set(catalog) != set(streams):  # first sync of a stream: ask the connector for its schema
        discovered = connector.discover(command, config)
        catalog = {s["name"]: s for s in discovered["streams"] if s["name"] in streams}
        for name in streams:
            outcomes[name].discovered = name not in stored
    configured = connector.configure({"streams": list(catalog.values())}, streams)
    state = [stored[s]["state"] for s in streams if s in stored]
    run = Sync(warehouse, catalog, now, outcomes=outcomes)
    errors: list[str] = []
    for message in connector.read(command, config, configured, state):
        kind = message.get("type")
        if kind == "RECORD":
            run.record(message["record"])
        elif kind == "STATE":
            run.state(message["state"])
        elif kind == "LOG":
            entry = message["log"]
            log.log(LOG_LEVELS.get(entry.get("level"), logging.INFO), entry.get("message"))
        elif kind == "TRACE":
            trace = message["trace"]
            if (error := connector.error_traces(message)) is not None:
                errors.append(error)
                log.error(f"connector error: {error}")
            elif trace.get("type") == "STREAM_STATUS":
                status = trace["stream_status"]
                name = status["stream_descriptor"]["name"]
                if name in outcomes:
                    outcomes[name].status = status["status"]
    for name in list(run.batches):  # records after the last state: kept, state not advanced
        run.flush(name, None)
    if errors:
        raise connector.ConnectorError(f"the sync failed: {'; '.join(errors)}")
    return outcomes
