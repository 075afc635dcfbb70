"""WeatherClient: pacing under one rolling quota, Retry-After, retries, history chunks, metadata.

HTTP is a `httpx.MockTransport`; time is a fake clock whose `sleep` advances it, so nothing
waits for real and every request time is exact.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import httpx
import pytest

from fernway_core.http import HttpError
from fernway_weather.defs.openweathermap.client import WeatherClient, week_chunks

API = "https://api.owm.test"
HISTORY = "https://history.owm.test"
KEY = "s3cret-owm-key-0123"
LAT, LON = 38.7223, -9.1393
WINDOW_S = 60.25  # RollingQuota's 60 s window plus its 0.25 s margin
START = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
T0 = int(START.timestamp())
HOUR_S = 3600
CURRENT_BODY = {"coord": {"lon": LON, "lat": LAT}, "main": {"temp": 20.5}, "dt": T0, "cod": 200}

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A monotonic clock that only moves when something sleeps (or the test advances it).

    `during_next_sleep` runs once inside the next sleep, as if another caller acted while this
    one was waiting; the sleeper still wakes `seconds` after it started sleeping.
    """

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self.during_next_sleep: Callable[[], None] | None = None

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        started = self.t
        action, self.during_next_sleep = self.during_next_sleep, None
        if action is not None:
            action()
        self.t = max(self.t, started + seconds)


class Server:
    """Answers requests from a script (then `default`), recording each request and its time."""

    def __init__(self, fake: FakeTime, *script: Handler, default: Handler | None = None) -> None:
        self.fake = fake
        self.script = list(script)
        self.default = default or ok()
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []
        self.responses: list[httpx.Response] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.fake.t)
        answer = self.script.pop(0) if self.script else self.default
        response = answer(request)
        self.responses.append(response)
        return response

    def params(self, i: int) -> dict[str, str]:
        return dict(self.requests[i].url.params)


def ok(body: object = CURRENT_BODY) -> Handler:
    return lambda request: httpx.Response(200, json=body)


def status(code: int, headers: dict[str, str] | None = None, body: object = None) -> Handler:
    return lambda request: httpx.Response(code, headers=headers, json=body)


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def history_list(request: httpx.Request) -> httpx.Response:
    """The History API: one entry per hour from `start` to `end` inclusive."""
    first, last = int(request.url.params["start"]), int(request.url.params["end"])
    entries = [{"dt": t, "main": {"temp": 18.0}} for t in range(first, last + 1, HOUR_S)]
    return httpx.Response(200, json={"cod": "200", "cnt": len(entries), "list": entries})


def make_client(
    fake: FakeTime,
    server: Server,
    calls_per_minute: int = 60,
    jitter: float = 1.0,
    **options: object,
) -> WeatherClient:
    return WeatherClient(
        API,
        KEY,
        calls_per_minute,
        transport=httpx.MockTransport(server),
        clock=fake.clock,
        sleep=fake.sleep,
        now=lambda: 1_785_542_400.0,
        jitter=lambda: jitter,
        **options,
    )


def assert_never_more_than(limit: int, times: list[float], window_s: float = 60.0) -> None:
    """No `window_s` interval holds more than `limit` of the (sorted) request times."""
    ordered = sorted(times)
    for i in range(len(ordered) - limit):
        assert ordered[i + limit] - ordered[i] >= window_s, (i, ordered[i : i + limit + 1])


# --- pacing under the rolling quota -------------------------------------------------------


def test_calls_are_paced_so_no_60s_window_holds_more_than_the_limit() -> None:
    fake = FakeTime()
    server = Server(fake)
    client = make_client(fake, server, calls_per_minute=5)

    for _ in range(12):
        assert client.current(LAT, LON) == CURRENT_BODY

    assert len(server.times) == 12
    assert_never_more_than(5, server.times)
    assert_never_more_than(5, server.times, WINDOW_S)  # the margin is kept too


def test_paced_calls_take_no_longer_than_the_quota_requires() -> None:
    fake = FakeTime()
    server = Server(fake)
    client = make_client(fake, server, calls_per_minute=5)

    for _ in range(12):
        client.current(LAT, LON)

    # 5 at once, 5 when the first burst has aged out of the window, then the last 2
    assert server.times == pytest.approx([0.0] * 5 + [WINDOW_S] * 5 + [2 * WINDOW_S] * 2)
    assert fake.t == pytest.approx(2 * WINDOW_S)
    assert fake.sleeps == pytest.approx([WINDOW_S, WINDOW_S])
    meta = client.metadata()
    assert meta["http_requests"] == 12
    assert meta["http_rate_limit_waits"] == 2
    assert meta["http_rate_limit_wait_s"] == pytest.approx(2 * WINDOW_S)
    assert meta["http_retries"] == 0


def test_calls_arriving_at_irregular_times_go_out_at_the_earliest_allowed_moment() -> None:
    fake = FakeTime()
    server = Server(fake)
    limit = 3
    client = make_client(fake, server, calls_per_minute=limit)
    gaps = random.Random(7).choices([0.0, 0.5, 5.0, 20.0, 61.0], k=30)

    arrivals = []
    for gap in gaps:
        fake.t += gap
        arrivals.append(fake.t)
        client.current(LAT, LON)

    times = server.times
    assert_never_more_than(limit, times)
    for i, (arrival, sent) in enumerate(zip(arrivals, times, strict=True)):
        earliest = max(arrival, times[i - limit] + WINDOW_S) if i >= limit else arrival
        assert sent == pytest.approx(earliest), i


# --- Retry-After and server throttling ------------------------------------------------------


def test_429_with_retry_after_sleeps_exactly_that_long_and_throttles_the_quota() -> None:
    fake = FakeTime()
    server = Server(fake, status(429, {"Retry-After": "7"}, {"cod": 429}))
    client = make_client(fake, server, calls_per_minute=10, jitter=1.0)
    during_pause: list[tuple[int, object]] = []
    fake.during_next_sleep = lambda: during_pause.append(
        (client.quota.remaining(), client.metadata()["quota_remaining"])
    )

    assert client.current(LAT, LON) == CURRENT_BODY

    assert fake.sleeps == [7.0]  # Retry-After, not the 0.5 s backoff
    assert server.times == [0.0, 7.0]
    assert during_pause == [(0, 0)]
    assert client.quota.throttled == 1
    meta = client.metadata()
    assert meta["quota_throttled_by_server"] == 1
    assert meta["http_status_counts"] == {"200": 1, "429": 1}
    assert meta["http_retries"] == 1
    assert meta["http_retry_wait_s"] == 7.0
    assert meta["quota_remaining"] == 10 - 2


def test_other_calls_sharing_the_quota_wait_out_the_server_pause() -> None:
    fake = FakeTime()
    server = Server(fake, status(429, {"Retry-After": "7"}))
    client = make_client(fake, server, calls_per_minute=10)
    remaining_seen: list[int] = []

    def another_caller_three_seconds_in() -> None:
        fake.t += 3.0
        remaining_seen.append(client.quota.remaining())
        client.current(LAT, LON)

    fake.during_next_sleep = another_caller_three_seconds_in
    client.current(LAT, LON)

    assert remaining_seen == [0]
    assert fake.sleeps == [7.0, 4.0]  # the other caller waited for the rest of the pause
    assert server.times == [0.0, 7.0, 7.0]
    assert client.metadata()["http_rate_limit_waits"] == 1
    assert client.quota.remaining() == 10 - 3


def test_503_with_retry_after_is_honoured_like_a_429() -> None:
    fake = FakeTime()
    server = Server(fake, status(503, {"Retry-After": "12"}))
    client = make_client(fake, server)

    client.current(LAT, LON)

    assert fake.sleeps == [12.0]
    assert client.quota.throttled == 1


def test_retry_after_as_an_http_date_waits_until_that_moment() -> None:
    fake = FakeTime()
    server = Server(fake, status(429, {"Retry-After": "Sat, 01 Aug 2026 00:00:09 GMT"}))
    client = make_client(fake, server)  # wall clock `now` is 2026-08-01 00:00:00 UTC

    client.current(LAT, LON)

    assert fake.sleeps == [9.0]
    assert client.quota.throttled == 1


def test_429_without_retry_after_backs_off_without_pausing_the_quota() -> None:
    fake = FakeTime()
    server = Server(fake, status(429))
    client = make_client(fake, server, jitter=1.0)

    client.current(LAT, LON)

    assert fake.sleeps == [0.5]
    assert client.quota.throttled == 0
    assert client.metadata()["http_status_counts"] == {"200": 1, "429": 1}


def test_retry_after_longer_than_five_minutes_is_capped() -> None:
    fake = FakeTime()
    server = Server(fake, status(429, {"Retry-After": "3600"}))
    client = make_client(fake, server)

    client.current(LAT, LON)

    assert fake.sleeps == [300.0]
    assert server.times == [0.0, 300.0]


# --- retries and failures ---------------------------------------------------------------------


def test_503_and_connection_errors_are_retried_with_exponential_backoff() -> None:
    fake = FakeTime()
    server = Server(fake, status(503), refused, status(503))
    client = make_client(fake, server, jitter=1.0)

    assert client.current(LAT, LON) == CURRENT_BODY

    assert fake.sleeps == [0.5, 1.0, 2.0]
    assert server.times == [0.0, 0.5, 1.5, 3.5]
    meta = client.metadata()
    assert meta["http_requests"] == 4
    assert meta["http_retries"] == 3
    assert meta["http_status_counts"] == {"200": 1, "503": 2}
    assert meta["http_errors"] == {"ConnectError": 1}
    assert meta["http_retry_wait_s"] == 3.5
    assert meta["quota_throttled_by_server"] == 0


def test_backoff_is_scaled_by_the_jitter() -> None:
    fake = FakeTime()
    server = Server(fake, status(502), status(500), refused)
    client = make_client(fake, server, jitter=0.25)

    client.current(LAT, LON)

    assert fake.sleeps == [0.125, 0.25, 0.5]


def test_an_invalid_json_body_is_retried() -> None:
    fake = FakeTime()
    server = Server(fake, lambda request: httpx.Response(200, text="<html>busy</html>"))
    client = make_client(fake, server)

    assert client.current(LAT, LON) == CURRENT_BODY
    assert fake.sleeps == [0.5]


def test_backoff_doubles_up_to_its_cap_over_the_default_eight_retries() -> None:
    fake = FakeTime()
    server = Server(fake, default=status(503))
    client = make_client(fake, server)

    with pytest.raises(HttpError):
        client.current(LAT, LON)

    assert len(server.requests) == 9
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_when_retries_run_out_a_one_line_http_error_without_the_key_is_raised() -> None:
    fake = FakeTime()
    server = Server(fake, default=status(503))
    client = make_client(fake, server, max_retries=3)

    with pytest.raises(HttpError) as caught:
        client.current(LAT, LON)

    message = str(caught.value)
    assert len(server.requests) == 4
    assert fake.sleeps == [0.5, 1.0, 2.0]
    assert "\n" not in message
    assert "failed after 4 attempts; last: 503 Service Unavailable" in message
    assert message.startswith(f"GET {API}/data/2.5/weather?")
    assert KEY not in message
    assert "appid" not in message
    assert KEY not in caught.value.url


def test_connection_errors_that_never_stop_end_in_a_one_line_http_error() -> None:
    fake = FakeTime()
    server = Server(fake, default=refused)
    client = make_client(fake, server, max_retries=2)

    with pytest.raises(HttpError, match="failed after 3 attempts; last: ConnectError") as caught:
        client.current(LAT, LON)

    assert "\n" not in str(caught.value)
    assert KEY not in str(caught.value)
    assert client.metadata()["http_errors"] == {"ConnectError": 3}


def test_401_fails_fast_without_retry_and_without_leaking_the_key() -> None:
    fake = FakeTime()
    body = {"cod": 401, "message": "Invalid API key. Please see the FAQ for more info."}
    server = Server(fake, status(401, body=body))
    client = make_client(fake, server)

    with pytest.raises(HttpError) as caught:
        client.current(LAT, LON)

    error = caught.value
    assert error.status == 401
    assert "401 Unauthorized: Invalid API key" in str(error)
    assert "\n" not in str(error)
    assert KEY not in str(error)
    assert KEY not in error.url
    assert len(server.requests) == 1
    assert fake.sleeps == []
    assert client.metadata()["http_retries"] == 0


@pytest.mark.parametrize("code", [400, 403, 404])
def test_other_client_errors_fail_fast_with_their_status(code: int) -> None:
    fake = FakeTime()
    server = Server(fake, status(code, body={"cod": str(code), "message": "nope"}))
    client = make_client(fake, server)

    with pytest.raises(HttpError) as caught:
        client.history(LAT, LON, START, START + dt.timedelta(hours=2))

    assert caught.value.status == code
    assert len(server.requests) == 1


# --- history ----------------------------------------------------------------------------------


def test_36_hour_history_is_one_call_from_the_first_to_the_last_hour_start() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)

    entries = client.history(LAT, LON, START, START + dt.timedelta(hours=36))

    assert len(server.requests) == 1
    assert server.requests[0].url.path == "/data/2.5/history/city"
    assert server.params(0) == {
        "appid": KEY,
        "lat": str(LAT),
        "lon": str(LON),
        "units": "metric",
        "type": "hour",
        "start": str(T0),
        "end": str(T0 + 35 * HOUR_S),
    }
    assert [e["dt"] for e in entries] == [T0 + h * HOUR_S for h in range(36)]


def test_ten_day_history_is_two_contiguous_calls_of_seven_and_three_days() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)

    entries = client.history(LAT, LON, START, START + dt.timedelta(days=10))

    spans = [(int(server.params(i)["start"]), int(server.params(i)["end"])) for i in range(2)]
    assert len(server.requests) == 2
    assert spans == [
        (T0, T0 + 7 * 24 * HOUR_S - HOUR_S),
        (T0 + 7 * 24 * HOUR_S, T0 + 10 * 24 * HOUR_S - HOUR_S),
    ]
    assert spans[1][0] == spans[0][1] + HOUR_S  # no gap, no overlap
    assert [e["dt"] for e in entries] == [T0 + h * HOUR_S for h in range(240)]


def test_history_of_exactly_one_week_is_a_single_call() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)

    entries = client.history(LAT, LON, START, START + dt.timedelta(days=7))

    assert len(server.requests) == 1
    assert len(entries) == 7 * 24


def test_history_one_hour_past_a_week_asks_for_that_hour_alone() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)

    entries = client.history(LAT, LON, START, START + dt.timedelta(days=7, hours=1))

    week = T0 + 7 * 24 * HOUR_S
    assert (server.params(1)["start"], server.params(1)["end"]) == (str(week), str(week))
    assert len(entries) == 7 * 24 + 1


def test_empty_history_window_makes_no_call() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)

    assert client.history(LAT, LON, START, START) == []
    assert server.requests == []


def test_history_start_in_another_timezone_is_sent_as_the_same_epoch() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server)
    lisbon_summer = dt.timezone(dt.timedelta(hours=1))

    client.history(LAT, LON, START.astimezone(lisbon_summer), START + dt.timedelta(hours=2))

    assert (server.params(0)["start"], server.params(0)["end"]) == (str(T0), str(T0 + HOUR_S))


@pytest.mark.parametrize(
    "body",
    [
        {"cod": "404", "message": "city not found"},
        {"cod": "200", "list": None},
        [{"dt": T0}],
    ],
)
def test_history_body_without_a_list_raises_http_error(body: object) -> None:
    fake = FakeTime()
    server = Server(fake, default=ok(body))
    client = make_client(fake, server)

    with pytest.raises(HttpError, match="no 'list' in the body") as caught:
        client.history(LAT, LON, START, START + dt.timedelta(hours=3))

    assert caught.value.url == "/data/2.5/history/city"
    assert "2026-08-01 00:00" in str(caught.value)


def test_history_fails_when_a_later_week_has_no_list() -> None:
    fake = FakeTime()
    server = Server(fake, history_list, default=ok({"cod": "200"}))
    client = make_client(fake, server)

    with pytest.raises(HttpError, match="from 2026-08-08 00:00: no 'list'"):
        client.history(LAT, LON, START, START + dt.timedelta(days=10))


def test_week_chunks_cut_a_window_into_consecutive_periods_of_at_most_a_week() -> None:
    day = dt.timedelta(days=1)
    assert list(week_chunks(START, START + 10 * day)) == [
        (START, START + 7 * day),
        (START + 7 * day, START + 10 * day),
    ]
    assert list(week_chunks(START, START + 14 * day)) == [
        (START, START + 7 * day),
        (START + 7 * day, START + 14 * day),
    ]
    assert list(week_chunks(START, START)) == []
    assert list(week_chunks(START, START - day)) == []


# --- parameters, hosts and metadata -------------------------------------------------------------


def test_every_request_carries_the_key_as_appid_and_metric_units() -> None:
    fake = FakeTime()
    server = Server(fake, ok(), ok({"list": []}), default=history_list)
    client = make_client(fake, server)

    client.current(LAT, LON)
    client.forecast(LAT, LON)
    client.history(LAT, LON, START, START + dt.timedelta(days=8))

    assert [r.url.path for r in server.requests] == [
        "/data/2.5/weather",
        "/data/2.5/forecast",
        "/data/2.5/history/city",
        "/data/2.5/history/city",
    ]
    for i in range(len(server.requests)):
        params = server.params(i)
        assert params["appid"] == KEY
        assert params["units"] == "metric"
        assert (params["lat"], params["lon"]) == (str(LAT), str(LON))
    assert server.params(1)["cnt"] == "40"
    assert "Authorization" not in server.requests[0].headers


def test_units_can_be_changed_for_every_call() -> None:
    fake = FakeTime()
    server = Server(fake)
    client = make_client(fake, server, units="imperial")

    client.current(LAT, LON)

    assert server.params(0)["units"] == "imperial"


def test_history_goes_to_the_history_host_and_the_rest_to_the_api_host() -> None:
    fake = FakeTime()
    server = Server(fake, default=lambda r: (history_list if "history" in r.url.path else ok())(r))
    client = make_client(fake, server, history_url=HISTORY)

    client.current(LAT, LON)
    client.history(LAT, LON, START, START + dt.timedelta(hours=3))
    client.forecast(LAT, LON)

    assert [(r.url.host, r.url.path) for r in server.requests] == [
        ("api.owm.test", "/data/2.5/weather"),
        ("history.owm.test", "/data/2.5/history/city"),
        ("api.owm.test", "/data/2.5/forecast"),
    ]
    assert server.params(1)["appid"] == KEY
    meta = client.metadata()
    assert meta["http_requests"] == 3
    assert meta["http_status_counts"] == {"200": 3}
    assert meta["http_bytes"] == sum(len(r.content) for r in server.responses)


def test_both_hosts_share_one_quota() -> None:
    fake = FakeTime()
    server = Server(fake, default=lambda r: (history_list if "history" in r.url.path else ok())(r))
    client = make_client(fake, server, calls_per_minute=2, history_url=HISTORY)

    client.current(LAT, LON)
    client.history(LAT, LON, START, START + dt.timedelta(hours=1))
    client.current(LAT, LON)

    assert server.times == [0.0, 0.0, WINDOW_S]
    assert client.metadata()["http_rate_limit_waits"] == 1


def test_history_url_equal_to_base_url_uses_the_api_host() -> None:
    fake = FakeTime()
    server = Server(fake, default=history_list)
    client = make_client(fake, server, history_url=API + "/")

    client.history(LAT, LON, START, START + dt.timedelta(hours=1))

    assert server.requests[0].url.host == "api.owm.test"
    assert client.metadata()["http_requests"] == 1


def test_quota_remaining_is_the_limit_minus_calls_in_the_last_window() -> None:
    fake = FakeTime()
    server = Server(fake)
    client = make_client(fake, server, calls_per_minute=10)
    assert client.metadata()["quota_remaining"] == 10

    for _ in range(3):
        client.current(LAT, LON)
    assert client.metadata()["quota_remaining"] == 7

    fake.t = 30.0
    client.current(LAT, LON)
    client.forecast(LAT, LON)
    assert client.metadata()["quota_remaining"] == 5

    fake.t = WINDOW_S  # the three calls at 0 s have left the window
    assert client.metadata()["quota_remaining"] == 8

    fake.t = 30.0 + WINDOW_S
    assert client.metadata()["quota_remaining"] == 10


def test_metadata_reports_the_quota_and_the_pace_achieved() -> None:
    fake = FakeTime()
    server = Server(fake)
    client = make_client(fake, server, calls_per_minute=10)

    client.current(LAT, LON)
    meta = client.metadata()
    assert meta["quota_calls_per_minute"] == 10
    assert meta["quota_throttled_by_server"] == 0
    assert meta["calls_per_minute_achieved"] == 0.0  # one call is no pace

    for _ in range(5):
        client.current(LAT, LON)
    fake.t = 120.0
    assert client.metadata()["calls_per_minute_achieved"] == 3.0


def test_client_works_as_a_context_manager() -> None:
    fake = FakeTime()
    server = Server(fake)

    with make_client(fake, server, history_url=HISTORY) as client:
        assert client.current(LAT, LON) == CURRENT_BODY

    assert len(server.requests) == 1
