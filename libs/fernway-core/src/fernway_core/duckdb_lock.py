"""Open a DuckDB file, waiting (backoff + jitter) while another process holds its lock."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb

LOCK_MESSAGE = "Could not set lock on file"
_log = dg.get_dagster_logger("fernway_core.warehouse")


class WarehouseLockTimeout(TimeoutError):
    """Another process kept the DuckDB file locked for longer than `lock_timeout_s`."""


def connect_waiting(
    path: str,
    timeout_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    base_s: float = 0.05,
    cap_s: float = 2.0,
) -> duckdb.DuckDBPyConnection:
    """Connect read-write in UTC; a lock conflict is retried until `timeout_s` has passed."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    started = clock()
    attempt = 0
    while True:
        try:
            con = duckdb.connect(path)
        except duckdb.IOException as exc:
            if LOCK_MESSAGE not in str(exc):
                raise
            waited = clock() - started
            if waited >= timeout_s:
                pid = re.search(r"PID \d+", str(exc))
                raise WarehouseLockTimeout(
                    f"DuckDB file {path} stayed locked by another process "
                    f"({pid.group(0) if pid else 'unknown PID'}) "
                    f"for {waited:.1f}s > lock_timeout_s={timeout_s:g}"
                ) from exc
            if attempt == 0:
                _log.info(f"DuckDB file {path} is locked by another process; waiting")
            delay = min(cap_s, base_s * 2**attempt) * (0.5 + random.random() / 2)
            sleep(min(delay, max(timeout_s - waited, 0.0)))
            attempt += 1
            continue
        if attempt:
            _log.info(f"waited {clock() - started:.2f}s for the DuckDB lock on {path}")
        con.execute("set TimeZone = 'UTC'")
        return con
