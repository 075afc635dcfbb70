"""Token bucket and Retry-After parsing (pure logic)."""

from __future__ import annotations

import threading
import time

import pytest

from fernway_core.http import parse_retry_after
from fernway_core.rate_limit import TokenBucket


def test_bucket_refills_at_its_rate_and_caps_the_burst() -> None:
    now = {"t": 0.0}
    sleeps: list[float] = []
    bucket = TokenBucket(3, 1.5, clock=lambda: now["t"], sleep=sleeps.append)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    now["t"] = 100.0  # a long idle period refills only up to the capacity
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)
    assert sleeps == [pytest.approx(0.5)]


def test_bucket_is_thread_safe_under_contention() -> None:
    bucket = TokenBucket(20, 0.5)
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [bucket.acquire() for _ in range(10)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.5  # 20 at once, then 20 more at 40/s


def test_bucket_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="max_calls >= 1"):
        TokenBucket(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("-1", 0.0),
        ("Thu, 01 Jan 2026 00:00:10 GMT", 10.0),
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
        ("", None),
    ],
)
def test_retry_after_accepts_seconds_and_http_dates(
    value: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value, now=1_767_225_600.0) == expected
