"""Run an Airbyte source connector as a subprocess speaking the Airbyte protocol.

The connector (`source-github`, installed in this location's environment) is started the way
the Airbyte platform starts a connector container: `spec`, `check --config`, `discover --config`,
`read --config --catalog [--state]`, with JSON files for the arguments and one JSON message per
line on stdout (RECORD, STATE, LOG, TRACE, SPEC, CATALOG, CONNECTION_STATUS).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

STDERR_TAIL = 2_000
# where each answer sits in its message
ANSWER_FIELD = {"SPEC": "spec", "CATALOG": "catalog", "CONNECTION_STATUS": "connectionStatus"}


class ConnectorError(Exception):
    """The connector failed: a non-zero exit, an ERROR trace, or an unusable answer."""


def command_for(executable: str) -> list[str]:
    """The connector's command line: a script next to this interpreter, else on the PATH."""
    beside = Path(sys.executable).parent / executable
    if beside.exists():
        return [str(beside)]
    found = shutil.which(executable)
    if found is None:
        raise ConnectorError(f"connector executable {executable!r} not found (is it installed?)")
    return [found]


def messages(
    command: Sequence[str], verb: str, files: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    """Run `command verb --<name> <file>...` and yield its protocol messages as they arrive.

    `files` maps argument names (`config`, `catalog`, `state`) to JSON-serialisable values,
    written to a private temp dir for the run. Non-JSON stdout lines are skipped as the platform
    does; a non-zero exit raises `ConnectorError` with the tail of stderr.
    """
    with tempfile.TemporaryDirectory(prefix="airbyte-") as tmp:
        args = [*command, verb]
        for name, value in files.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(value))
            args += [f"--{name}", str(path)]
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, cwd=tmp)
            assert process.stdout is not None
            errors: list[str] = []
            try:
                for line in process.stdout:
                    if line.startswith(b"{"):
                        try:
                            message = orjson.loads(line)
                        except orjson.JSONDecodeError:
                            continue
                        if (error := error_traces(message)) is not None:
                            errors.append(error)
                        yield message
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
        if process.returncode:
            tail = stderr_path.read_text(errors="replace")[-STDERR_TAIL:].strip()
            reason = "; ".join(errors) or (tail.splitlines()[-1] if tail else "no message")
            raise ConnectorError(
                f"{Path(command[-1]).name} {verb} exited with {process.returncode}: "
                + " ".join(reason.split())
            )


def error_traces(message: dict[str, Any]) -> str | None:
    """The error text of an ERROR trace message (None for any other message)."""
    trace = message.get("trace") or {}
    if message.get("type") != "TRACE" or trace.get("type") != "ERROR":
        return None
    error = trace.get("error") or {}
    text = str(error.get("message") or error.get("internal_message") or "unknown error")
    return " ".join(text.split())  # one line


def one(command: Sequence[str], verb: str, kind: str, files: Mapping[str, Any]) -> Any:
    """The single `kind` answer of `spec`, `check` or `discover`; ERROR traces raise."""
    found, errors = None, []
    for message in messages(command, verb, files):
        if (error := error_traces(message)) is not None:
            errors.append(error)
        elif message.get("type") == kind:
            found = message[ANSWER_FIELD[kind]]
    if errors:
        raise ConnectorError(f"{verb} failed: {'; '.join(errors)}")
    if found is None:
        raise ConnectorError(f"{verb} returned no {kind} message")
    return found


def spec(command: Sequence[str]) -> dict[str, Any]:
    """The connector's specification (its config's JSON schema under `connectionSpecification`)."""
    return one(command, "spec", "SPEC", {})


def check(command: Sequence[str], config: Mapping[str, Any]) -> tuple[bool, str]:
    """(succeeded, message) of a connection check."""
    status = one(command, "check", "CONNECTION_STATUS", {"config": config})
    return status.get("status") == "SUCCEEDED", str(status.get("message") or "")


def discover(command: Sequence[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog: every stream with its JSON schema, sync modes and primary key."""
    return one(command, "discover", "CATALOG", {"config": config})


def configure(catalog: Mapping[str, Any], streams: Sequence[str]) -> dict[str, Any]:
    """A configured catalog: `streams` incremental where they can be, deduplicated on their key."""
    by_name = {s["name"]: s for s in catalog["streams"]}
    missing = sorted(set(streams) - set(by_name))
    if missing:
        raise ConnectorError(f"the connector does not offer stream(s) {', '.join(missing)}")
    configured = []
    for name in streams:
        stream = by_name[name]
        incremental = "incremental" in stream.get("supported_sync_modes", [])
        configured.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if incremental else "full_refresh",
                "destination_sync_mode": "append_dedup",
                "cursor_field": stream.get("default_cursor_field") or [],
                "primary_key": stream.get("source_defined_primary_key") or [],
            }
        )
    return {"streams": configured}


def read(
    command: Sequence[str],
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    state: Sequence[Mapping[str, Any]],
) -> Iterator[dict[str, Any]]:
    """Every message of a `read` (state: the STATE messages the last read ended with)."""
    files: dict[str, Any] = {"config": config, "catalog": catalog}
    if state:
        files["state"] = list(state)
    return messages(command, "read", files)
