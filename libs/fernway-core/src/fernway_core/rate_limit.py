"""Client-side rate limits: a token bucket, and a rolling-window quota that mirrors an API's.

Both are thread-safe and satisfy `Limiter`: `acquire()` blocks until a call may go out and
returns the seconds waited; `throttle(seconds)` is called when the server said "too many"
(429 + Retry-After) so every caller sharing the limiter pauses, not just the one that was told.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    """What `HttpClient` asks of a client-side rate limit."""

    def acquire(self) -> float:
        """Block until one call may be made; return the seconds waited."""
        ...

    def throttle(self, seconds: float) -> None:
        """The server refused a call: make no call for `seconds`."""
        ...


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

    def throttle(self, seconds: float) -> None:
        """Spend the tokens of the next `seconds` (callers wait that long before the next call)."""
        with self._lock:
            self._tokens = min(self._tokens, 0.0) - seconds * self.rate

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


class RollingQuota:
    """At most `limit` calls in any `window_s` seconds, like an API gateway counts them.

    A token bucket of the same rate lets a full burst through and then one more call a second
    later, which a rolling-window server answers with 429; this quota never does. `margin_s`
    widens the window a little so calls that arrive late at the server still fit.
    """

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        *,
        margin_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("rate limit needs limit >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s + margin_s
        self._clock, self._sleep = clock, sleep
        self._calls: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self.throttled = 0

    def _expire(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - self.window_s:
            self._calls.popleft()

    def remaining(self) -> int:
        """Calls that may go out right now (0 while the server has told us to wait)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            return 0 if now < self._blocked_until else self.limit - len(self._calls)

    def acquire(self) -> float:
        """Reserve the next free slot, sleeping (outside the lock) until it is due."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            due = max(now, self._blocked_until)
            if len(self._calls) >= self.limit:
                due = max(due, self._calls[-self.limit] + self.window_s)
            bisect.insort(self._calls, due)
        if due > now:
            self._sleep(due - now)
        return due - now

    def throttle(self, seconds: float) -> None:
        """The server said wait `seconds`: nobody sharing this quota calls before then."""
        with self._lock:
            self.throttled += 1
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
