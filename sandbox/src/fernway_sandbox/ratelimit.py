"""Per-key request limits: a rolling window answered with Retry-After, and an hourly quota
reported as `X-RateLimit-*` headers (GitHub)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class RollingLimit:
    """At most `limit` calls per key in any `window_s` seconds (thread-safe)."""

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Record a call and return 0, or return the seconds until one is allowed (not recorded)."""
        with self._lock:
            now = self._clock()
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window_s:
                calls.popleft()
            if len(calls) >= self.limit:
                return calls[0] + self.window_s - now
            calls.append(now)
            return 0.0


class HourlyQuota:
    """Requests per key in fixed windows (GitHub: an hour) from the first request, reported as
    `X-RateLimit-*` headers (wall-clock `Reset`, epoch seconds)."""

    def __init__(self, limit: int, window_s: float = 3600.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._used: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def state(self, key: str, take: bool = False) -> tuple[bool, dict[str, str]]:
        """(allowed, X-RateLimit-* headers); `take` counts the request when allowed."""
        with self._lock:
            now = time.time()
            used, reset = self._used.get(key, (0, now + self.window_s))
            if reset <= now:
                used, reset = 0, now + self.window_s
            allowed = used < self.limit
            if take and allowed:
                used += 1
            self._used[key] = (used, reset)
        return allowed, {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - used),
            "X-RateLimit-Reset": str(math.ceil(reset)),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
        }


def retry_after(wait_s: float) -> str:
    """A Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
