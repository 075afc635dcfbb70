"""The clock resource: real time unless fixed, and the same instant however it is read."""

import datetime as dt
import time

from fernway_core.clock import Clock


def test_a_fixed_clock_reports_its_instant_as_a_utc_datetime_and_a_timestamp():
    clock = Clock.at(dt.datetime(2026, 8, 3, 9, 20))  # naive means UTC
    assert clock.now() == dt.datetime(2026, 8, 3, 9, 20, tzinfo=dt.UTC)
    assert clock.timestamp() == clock.now().timestamp() == clock.fixed_at
    cet = dt.timezone(dt.timedelta(hours=1))
    assert Clock.at(dt.datetime(2026, 8, 3, 10, 20, tzinfo=cet)).now() == clock.now()


def test_an_unfixed_clock_follows_real_time():
    before = time.time()
    now = Clock().timestamp()
    assert before <= now <= time.time()
    assert Clock().now().tzinfo == dt.UTC
