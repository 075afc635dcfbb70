"""Counters of what an HTTP client did, ready to attach as Dagster asset metadata."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestStats:
    """Requests sent, retries, statuses, rate-limit waits, retry sleeps, bytes and records."""

    requests: int = 0
    retries: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    rate_limit_waits: int = 0
    rate_limit_wait_s: float = 0.0
    retry_wait_s: float = 0.0
    bytes: int = 0
    pages: int = 0
    records: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        """Add to several counters at once (thread-safe)."""
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def count(self, status: int | None = None, error: str | None = None) -> None:
        """Record one response status or one transport error kind."""
        with self._lock:
            if status is not None:
                self.by_status[status] += 1
            if error is not None:
                self.errors[error] += 1

    def as_metadata(self) -> dict[str, Any]:
        """Flat metadata for `MaterializeResult(metadata=...)`."""
        return {
            "http_requests": self.requests,
            "http_retries": self.retries,
            "http_status_counts": {str(k): v for k, v in sorted(self.by_status.items())},
            "http_errors": dict(sorted(self.errors.items())),
            "http_rate_limit_waits": self.rate_limit_waits,
            "http_rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
            "http_retry_wait_s": round(self.retry_wait_s, 3),
            "http_bytes": self.bytes,
            "http_pages": self.pages,
            "http_records": self.records,
        }
