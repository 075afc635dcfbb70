"""The local Dagster instance's SQLite files without an fsync per event (demo and dev tooling only).

Dagster's SQLite storage opens a connection per write (SQLAlchemy's NullPool) in WAL mode. Closing
the last connection checkpoints the WAL, and with SQLite's default `synchronous=FULL` every
checkpoint waits for the disk: about 40 ms per write on this project's reference machine, several
writes per event, and the demo records thousands of per-partition events. With
`synchronous=OFF` SQLite hands the writes to the operating system and goes on; a crash of the
process loses nothing, a crash of the operating system may lose or damage the local instance's
run history (never the warehouse, which is DuckDB's own file). Production keeps its instance in
Postgres and never imports this module.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def relax_fsync() -> None:
    """Every SQLite connection SQLAlchemy opens in this process skips fsync (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _no_fsync)
        _installed = True


def synchronous_setting(connection: Any) -> int:
    """SQLite's `synchronous` level on a SQLAlchemy connection (0 is OFF, 2 is FULL)."""
    return int(connection.exec_driver_sql("PRAGMA synchronous").scalar())
