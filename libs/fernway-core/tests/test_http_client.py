"""HttpClient against a real local HTTP server that injects faults."""

from __future__ import annotations

import email.utils
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fake_api import FakeApi, Reply

from fernway_core.http import (
    CursorPaginator,
    HttpClient,
    HttpError,
    LinkHeaderPaginator,
    PageNumberPaginator,
)
from fernway_core.rate_limit import RollingQuota

OK = Reply(200, {"data": [{"id": 1}]})
NOW = 1_790_000_000.0


@pytest.fixture
def api() -> Iterator[FakeApi]:
    server = FakeApi().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client(api: FakeApi, sleeps: list[float], **options: Any) -> HttpClient:
    """A client whose sleeps are recorded (not slept) and whose jitter is always 1.0."""
    defaults: dict[str, Any] = {
        "bearer_token": "sandbox-token",
        "sleep": sleeps.append,
        "jitter": lambda: 1.0,
        "now": lambda: NOW,
        "backoff_base_s": 0.5,
    }
    return HttpClient(api.url, **{**defaults, **options})


def test_server_errors_are_retried_with_exponential_backoff(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.queue("/v1/cities", Reply(500), Reply(502), Reply(503), OK)
    with client(api, sleeps) as http:
        assert http.get_json("/v1/cities") == {"data": [{"id": 1}]}
    assert sleeps == [0.5, 1.0, 2.0]
    assert http.stats.requests == 4
    assert http.stats.retries == 3
    assert dict(http.stats.by_status) == {500: 1, 502: 1, 503: 1, 200: 1}


def test_backoff_uses_full_jitter_and_is_capped(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/x", *[Reply(500)] * 4, OK)
    jitters = iter([0.5, 0.25, 1.0, 1.0])
    with client(api, sleeps, jitter=lambda: next(jitters), backoff_max_s=1.5) as http:
        http.get_json("/x")
    assert sleeps == [0.25, 0.25, 1.5, 1.5]


def test_gives_up_after_max_retries_with_one_line_error(api: FakeApi, sleeps: list[float]) -> None:
    api.routes["/v1/orders"] = lambda query: Reply(500, {"error": "boom"})
    with client(api, sleeps, max_retries=3) as http, pytest.raises(HttpError) as info:
        http.get_json("/v1/orders", {"limit": 10})
    message = str(info.value)
    assert "\n" not in message
    url = f"{api.url}/v1/orders?limit=10"
    assert message == f"GET {url} failed after 4 attempts; last: 500 Internal Server Error"
    assert len(api.requests) == 4
    assert http.stats.retries == 3


def test_429_retry_after_seconds_is_honoured_instead_of_backoff(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.queue("/v1/cities", Reply(429, headers={"Retry-After": "7"}), OK)
    with client(api, sleeps) as http:
        http.get_json("/v1/cities")
    assert sleeps == [7.0]
    assert http.stats.by_status[429] == 1


def test_503_retry_after_http_date_is_honoured(api: FakeApi, sleeps: list[float]) -> None:
    when = email.utils.formatdate(NOW + 12, usegmt=True)
    api.queue("/v1/cities", Reply(503, headers={"Retry-After": when}), OK)
    with client(api, sleeps) as http:
        http.get_json("/v1/cities")
    assert sleeps == [12.0]


def test_429_without_retry_after_falls_back_to_backoff(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/v1/cities", Reply(429), Reply(429, headers={"Retry-After": "soon"}), OK)
    with client(api, sleeps) as http:
        http.get_json("/v1/cities")
    assert sleeps == [0.5, 1.0]


def test_truncated_body_is_retried(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/v1/cities", Reply(200, {"data": [{"id": 1}] * 50}, truncate_to=40), OK)
    with client(api, sleeps) as http:
        assert http.get_json("/v1/cities") == {"data": [{"id": 1}]}
    assert http.stats.retries == 1
    assert http.stats.errors["RemoteProtocolError"] == 1


def test_invalid_json_body_is_retried(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/v1/cities", Reply(200, b'{"data": [{"id": 1}, {"i'), Reply(200, b""), OK)
    with client(api, sleeps) as http:
        assert http.get_json("/v1/cities") == {"data": [{"id": 1}]}
    assert http.stats.retries == 2
    assert http.stats.by_status[200] == 3


def test_slow_response_times_out_and_is_retried(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/v1/cities", Reply(200, {"data": []}, delay_s=1.0), OK)
    with client(api, sleeps, timeout_s=0.2) as http:
        assert http.get_json("/v1/cities") == {"data": [{"id": 1}]}
    assert http.stats.retries == 1
    assert http.stats.errors["ReadTimeout"] == 1


def test_connect_errors_are_retried_then_fail(sleeps: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = HttpClient(f"http://127.0.0.1:{port}", max_retries=2, sleep=sleeps.append)
    with http, pytest.raises(HttpError, match=r"failed after 3 attempts; last: ConnectError"):
        http.get_json("/v1/cities")
    assert len(sleeps) == 2
    assert http.stats.errors["ConnectError"] == 3


def test_401_fails_fast_with_one_line_message(api: FakeApi, sleeps: list[float]) -> None:
    api.routes["/v1/orders"] = lambda query: Reply(401, {"error": "invalid token"})
    with client(api, sleeps) as http, pytest.raises(HttpError) as info:
        http.get_json("/v1/orders")
    assert str(info.value) == f"GET {api.url}/v1/orders -> 401 Unauthorized: invalid token"
    assert info.value.status == 401
    assert len(api.requests) == 1
    assert sleeps == []
    assert http.stats.retries == 0


def test_bearer_token_is_sent_and_api_key_is_sent_but_never_shown(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.queue("/a", OK)
    with client(api, sleeps) as http:
        http.get_json("/a")
    assert api.requests[-1].headers["Authorization"] == "Bearer sandbox-token"
    api.routes["/b"] = lambda query: Reply(403, {"message": "nope"})
    http = client(api, sleeps, bearer_token=None, api_key="s3cr3t")
    with http, pytest.raises(HttpError) as info:
        http.get_json("/b", {"q": "x"})
    assert api.requests[-1].query == {"api_key": "s3cr3t", "q": "x"}
    assert "Authorization" not in api.requests[-1].headers
    assert "s3cr3t" not in str(info.value)
    assert str(info.value) == f"GET {api.url}/b?q=x -> 403 Forbidden: nope"


def test_rate_limit_spaces_calls_after_the_burst(api: FakeApi) -> None:
    clock = {"now": 100.0}
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock["now"] += seconds

    api.routes["/v1/cities"] = lambda query: OK
    http = HttpClient(api.url, max_calls=2, period_s=1.0, sleep=sleep, clock=lambda: clock["now"])
    with http:
        for _ in range(6):
            http.get_json("/v1/cities")
    assert sleeps == [0.5, 0.5, 0.5, 0.5]
    assert clock["now"] == 102.0
    assert http.stats.rate_limit_waits == 4
    assert http.stats.rate_limit_wait_s == 2.0


def cursor_pages(query: dict[str, str]) -> Reply:
    """25 orders served `limit` at a time behind an opaque cursor."""
    start = int(query.get("cursor", "0"))
    end = min(start + int(query["limit"]), 25)
    following = str(end) if end < 25 else None
    return Reply(
        200, {"data": [{"order_id": i} for i in range(start, end)], "next_cursor": following}
    )


def test_cursor_paginator_follows_next_cursor_and_keeps_params(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.routes["/v1/orders"] = cursor_pages
    with client(api, sleeps) as http:
        pages = list(
            http.paginate(
                "/v1/orders", {"limit": 10, "ordered_from": "2026-08-01"}, CursorPaginator()
            )
        )
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [r["order_id"] for p in pages for r in p] == list(range(25))
    assert [r.query.get("cursor") for r in api.requests] == [None, "10", "20"]
    assert {r.query["ordered_from"] for r in api.requests} == {"2026-08-01"}
    assert http.stats.pages == 3
    assert http.stats.records == 25


def test_page_number_paginator_stops_at_total_pages(api: FakeApi, sleeps: list[float]) -> None:
    def pages(query: dict[str, str]) -> Reply:
        page = int(query.get("page", "1"))
        return Reply(200, {"data": [{"page": page}] * 2, "page": page, "total_pages": 3})

    api.routes["/v1/customers"] = pages
    with client(api, sleeps) as http:
        records = http.fetch_all("/v1/customers", {"page_size": 2}, PageNumberPaginator())
    assert [r["page"] for r in records] == [1, 1, 2, 2, 3, 3]
    assert [r.query.get("page") for r in api.requests] == [None, "2", "3"]


def test_page_number_paginator_without_total_stops_at_empty_page(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.queue(
        "/p", Reply(200, {"data": [1, 2]}), Reply(200, {"data": [3]}), Reply(200, {"data": []})
    )
    with client(api, sleeps) as http:
        assert http.fetch_all("/p", None, PageNumberPaginator()) == [1, 2, 3]
    assert len(api.requests) == 3


def test_link_header_paginator_follows_rel_next(api: FakeApi, sleeps: list[float]) -> None:
    def repos(query: dict[str, str]) -> Reply:
        page = int(query.get("page", "1"))
        links = [f'<{api.url}/repos?page={page + 1}&per_page=2>; rel="next"'] if page < 3 else []
        links.append(f'<{api.url}/repos?page=1&per_page=2>; rel="first"')
        return Reply(200, [{"repo": page}, {"repo": page}], headers={"Link": ", ".join(links)})

    api.routes["/repos"] = repos
    with client(api, sleeps) as http:
        pages = list(http.paginate("/repos", {"per_page": 2}, LinkHeaderPaginator()))
    assert [[r["repo"] for r in p] for p in pages] == [[1, 1], [2, 2], [3, 3]]
    assert [r.query for r in api.requests] == [
        {"per_page": "2"},
        {"page": "2", "per_page": "2"},
        {"page": "3", "per_page": "2"},
    ]


def test_link_pages_keep_their_query_and_the_api_key(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/r", Reply(200, [1], headers={"Link": f'<{api.url}/r?page=2&x=a%20b>; rel="next"'}))
    api.queue("/r", Reply(200, [2]))
    with client(api, sleeps, bearer_token=None, api_key="k") as http:
        assert http.fetch_all("/r", None, LinkHeaderPaginator()) == [1, 2]
    assert [r.query for r in api.requests] == [
        {"api_key": "k"},
        {"api_key": "k", "page": "2", "x": "a b"},
    ]


def test_retries_happen_inside_pagination(api: FakeApi, sleeps: list[float]) -> None:
    api.routes["/v1/orders"] = cursor_pages
    api.queue("/v1/orders", Reply(429, headers={"Retry-After": "1"}))
    with client(api, sleeps) as http:
        records = http.fetch_all("/v1/orders", {"limit": 10}, CursorPaginator())
    assert len(records) == 25
    assert sleeps == [1.0]
    metadata = http.stats.as_metadata()
    assert metadata["http_requests"] == 4
    assert metadata["http_retries"] == 1
    assert metadata["http_status_counts"] == {"200": 3, "429": 1}
    assert metadata["http_records"] == 25
    # every body the server sent, the refused one included
    pages = [cursor_pages({"cursor": c, "limit": "10"}) for c in ("0", "10", "20")]
    assert metadata["http_bytes"] == sum(len(r.payload()) for r in [Reply(429), *pages])


def test_page_without_items_key_is_a_clear_error(api: FakeApi, sleeps: list[float]) -> None:
    api.queue("/v1/orders", Reply(200, {"rows": []}))
    with client(api, sleeps) as http, pytest.raises(HttpError, match="page has no 'data' list"):
        http.fetch_all("/v1/orders", None, CursorPaginator())


def test_429_throttles_the_shared_limiter_so_every_caller_waits(
    api: FakeApi, sleeps: list[float]
) -> None:
    api.queue("/v1/cities", Reply(429, headers={"Retry-After": "4"}), OK)
    quota = RollingQuota(10, 60, sleep=sleeps.append)
    with client(api, sleeps, limiter=quota) as http:
        http.get_json("/v1/cities")
    assert quota.throttled == 1
    assert sleeps[0] == 4.0
    assert http.stats.by_status == {429: 1, 200: 1}
