"""Token bucket, rolling quota and Retry-After parsing (pure logic)."""

from __future__ import annotations

import threading
import time

import pytest

from fernway_core.http import parse_retry_after
from fernway_core.rate_limit import RollingQuota, TokenBucket


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


class FakeTime:
    """A clock whose sleeps advance it."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def test_quota_lets_the_limit_through_then_waits_for_the_oldest_call_to_age_out() -> None:
    fake = FakeTime()
    quota = RollingQuota(3, 60, margin_s=0.5, clock=fake.clock, sleep=fake.sleep)
    assert [quota.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert quota.remaining() == 0
    fake.t = 10.0
    assert quota.acquire() == pytest.approx(50.5)  # the first call leaves the window at 60.5
    assert fake.t == pytest.approx(60.5)


def test_quota_never_allows_more_than_the_limit_in_any_window() -> None:
    fake = FakeTime()
    quota = RollingQuota(60, 60, margin_s=0.0, clock=fake.clock, sleep=fake.sleep)
    sent = []
    for i in range(500):
        fake.t += 0.05 * (i % 7)  # callers arrive irregularly, sometimes all at once
        quota.acquire()
        sent.append(fake.t)
    for i in range(len(sent) - 60):
        assert sent[i + 60] - sent[i] >= 60.0 - 1e-9
    # ...and uses it: 500 calls in about (500 - 60) seconds, not more
    assert sent[-1] - sent[0] <= (500 - 60) * 1.01 + 60


def test_remaining_counts_the_calls_left_in_the_window() -> None:
    fake = FakeTime()
    quota = RollingQuota(5, 60, margin_s=0.0, clock=fake.clock, sleep=fake.sleep)
    assert quota.remaining() == 5
    quota.acquire()
    quota.acquire()
    assert quota.remaining() == 3
    fake.t = 60.0
    assert quota.remaining() == 5


def test_throttle_makes_every_caller_wait_for_the_server_and_shows_no_quota() -> None:
    fake = FakeTime()
    quota = RollingQuota(100, 60, clock=fake.clock, sleep=fake.sleep)
    quota.acquire()
    quota.throttle(7.0)
    assert quota.remaining() == 0
    assert quota.throttled == 1
    assert quota.acquire() == pytest.approx(7.0)
    assert quota.remaining() == 98


def test_quota_is_thread_safe_under_contention() -> None:
    quota = RollingQuota(10, 0.4, margin_s=0.0)
    stamps: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        for _ in range(5):
            quota.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    assert len(stamps) == 20
    assert stamps[10] - stamps[0] >= 0.39  # the 11th call waited for the 1st to age out


def test_quota_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        RollingQuota(0)
