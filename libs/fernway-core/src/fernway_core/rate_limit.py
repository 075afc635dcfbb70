"""A thread-safe token bucket: at most `max_calls` per `period_s`, bursts up to `max_calls`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Reserve a token per call; callers sleep (outside the lock) until their token is due."""

    def __init__(
        self,
        max_calls: int,
        period_s: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period_s <= 0:
            raise ValueError("rate limit needs max_calls >= 1 and period_s > 0")
        self.capacity = float(max_calls)
        self.rate = max_calls / period_s
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is available; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait
