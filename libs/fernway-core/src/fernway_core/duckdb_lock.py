"""One writer at a time on a DuckDB file, across processes, released when the holder dies.

`writer_lock(path)` takes an exclusive `flock` on `<path>.lock`, beside the DuckDB file. The
kernel drops it when the holding process exits for any reason (SIGKILL, OOM kill, reboot), so a
dead run never keeps the warehouse. It is re-entrant within a process (the dbt assets hold it
around the dbt subprocess and read table metadata inside it) and one thread at a time holds it.
`connect_waiting(path)` opens the file, waiting while another process holds DuckDB's own lock
(a process that does not take `writer_lock`, e.g. dbt orphaned by a killed run).
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

LOCK_MESSAGE = "Could not set lock on file"
LOCK_SUFFIX = ".lock"
_log = dg.get_dagster_logger("fernway_core.warehouse")


class WarehouseLockTimeout(TimeoutError):
    """Another process kept the DuckDB file locked for longer than `lock_timeout_s`."""


@dataclass
class _Holder:
    """This process's hold on one lock file: a thread lock plus the flocked descriptor."""

    thread_lock: threading.RLock = field(default_factory=threading.RLock)
    fd: int | None = None
    depth: int = 0


_holders: dict[str, _Holder] = {}
_holders_guard = threading.Lock()


def _forget_holders_after_fork() -> None:
    # A forked child shares the parent's open lock files; it must not think it holds them.
    global _holders_guard
    for holder in _holders.values():
        if holder.fd is not None:
            os.close(holder.fd)
    _holders.clear()
    _holders_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_holders_after_fork)


def lock_path(path: str) -> Path:
    """The lock file beside a DuckDB file (`warehouse.duckdb` -> `warehouse.duckdb.lock`)."""
    return Path(path).with_name(Path(path).name + LOCK_SUFFIX)


def _backoff(attempt: int, base_s: float, cap_s: float) -> float:
    return min(cap_s, base_s * 2**attempt) * (0.5 + random.random() / 2)


@contextmanager
def writer_lock(
    path: str,
    timeout_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    base_s: float = 0.02,
    cap_s: float = 0.5,
) -> Iterator[None]:
    """Hold the single-writer lock of DuckDB file `path`, waiting up to `timeout_s` for it."""
    target = lock_path(path)
    with _holders_guard:
        holder = _holders.setdefault(str(target), _Holder())
    started = clock()
    if not holder.thread_lock.acquire(timeout=max(timeout_s, 0.0)):
        raise WarehouseLockTimeout(
            f"another thread of this process held the writer lock {target} "
            f"for more than lock_timeout_s={timeout_s:g}"
        )
    try:
        if holder.depth == 0:
            remaining = timeout_s - (clock() - started)
            holder.fd = _flock_waiting(target, remaining, sleep, clock, base_s, cap_s)
        holder.depth += 1
    except BaseException:
        holder.thread_lock.release()
        raise
    try:
        yield
    finally:
        holder.depth -= 1
        if holder.depth == 0 and holder.fd is not None:
            os.close(holder.fd)  # closing the descriptor releases the flock
            holder.fd = None
        holder.thread_lock.release()


def _flock_waiting(
    target: Path,
    timeout_s: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    base_s: float,
    cap_s: float,
) -> int:
    """An open descriptor of `target` holding LOCK_EX; retried with backoff until `timeout_s`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o644)
    started = clock()
    attempt = 0
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = clock() - started
                if waited >= timeout_s:
                    raise WarehouseLockTimeout(
                        f"warehouse writer lock {target} stayed held by another process "
                        f"({_holder_pid(target)}) for {waited:.1f}s > lock_timeout_s={timeout_s:g}"
                    ) from None
                if attempt == 0:
                    _log.info(f"writer lock {target} is held by {_holder_pid(target)}; waiting")
                sleep(min(_backoff(attempt, base_s, cap_s), max(timeout_s - waited, 0.0)))
                attempt += 1
    except BaseException:
        os.close(fd)
        raise
    if attempt:
        _log.info(f"waited {clock() - started:.2f}s for the warehouse writer lock {target}")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # diagnostics only: who holds it
    return fd


def _holder_pid(target: Path) -> str:
    try:
        pid = target.read_text().strip()
    except OSError:
        pid = ""
    return f"PID {pid}" if pid.isdigit() else "unknown PID"


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
            sleep(min(_backoff(attempt, base_s, cap_s), max(timeout_s - waited, 0.0)))
            attempt += 1
            continue
        if attempt:
            _log.info(f"waited {clock() - started:.2f}s for the DuckDB lock on {path}")
        con.execute("set TimeZone = 'UTC'")
        return con
