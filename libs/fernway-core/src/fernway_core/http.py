"""A JSON-over-HTTP client: auth, rate limit, retries with backoff + jitter, pagination, stats."""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg
import httpx

from fernway_core.paginators import (
    CursorPaginator,
    LinkHeaderPaginator,
    PageNumberPaginator,
    Paginator,
    SinglePage,
)
from fernway_core.rate_limit import Limiter, TokenBucket
from fernway_core.request_stats import RequestStats

__all__ = [
    "CursorPaginator",
    "HttpClient",
    "HttpError",
    "LinkHeaderPaginator",
    "PageNumberPaginator",
    "Paginator",
    "RequestStats",
    "SinglePage",
    "parse_retry_after",
]

RETRYABLE_ERRORS = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)
_log = dg.get_dagster_logger("fernway_core.http")


class HttpError(Exception):
    """A request failed for good: a non-retryable status, or retries ran out. One-line message."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class HttpClient:
    """GET JSON with retries (5xx, 429, connect/read errors, bad JSON) and a client rate limit."""

    def __init__(
        self,
        base_url: str = "",
        *,
        bearer_token: str | None = None,
        api_key: str | None = None,
        api_key_param: str = "api_key",
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 10.0,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_retry_after_s: float = 300.0,
        max_calls: int | None = None,
        period_s: float = 1.0,
        limiter: Limiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        auth_headers = {"Authorization": f"Bearer {bearer_token}"} if bearer_token else {}
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Accept": "application/json", **auth_headers, **(headers or {})},
            params={api_key_param: api_key} if api_key else None,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            follow_redirects=True,
            transport=transport,
        )
        self._secret_param = api_key_param if api_key else None
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_retry_after_s = max_retry_after_s
        if limiter is None and max_calls:
            limiter = TokenBucket(max_calls, period_s, clock=clock, sleep=sleep)
        self.limiter = limiter
        self._sleep, self._now, self._jitter = sleep, now, jitter
        self.stats = RequestStats()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET one JSON document (retried as needed)."""
        return self._get(path, params)[1]

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, paginator: Paginator | None = None
    ) -> Iterator[list[Any]]:
        """Yield the records of each page in order (one request when `paginator` is None)."""
        pager = paginator or SinglePage()
        url, query = path, dict(params or {})
        while True:
            response, body = self._get(url, query)
            try:
                items = pager.items(body)
            except (ValueError, TypeError, AttributeError) as exc:
                raise HttpError(f"GET {self._display(response.url)}: {exc}", url=url) from None
            self.stats.add(pages=1, records=len(items))
            yield items
            following = pager.next_request(query, body, response)
            if following is None:
                return
            url, query = following[0] or path, following[1]

    def fetch_all(
        self, path: str, params: Mapping[str, Any] | None = None, paginator: Paginator | None = None
    ) -> list[Any]:
        """Every record of every page, as one list."""
        records: list[Any] = []
        for page in self.paginate(path, params, paginator):
            records.extend(page)
        return records

    def _get(self, url: str, params: Mapping[str, Any] | None) -> tuple[httpx.Response, Any]:
        if "?" in url:  # httpx would drop a URL's own query once params are merged in
            parsed = httpx.URL(url)
            params = {**dict(parsed.params.multi_items()), **(params or {})}
            url = str(parsed.copy_with(query=None))
        attempt = 0
        while True:
            if self.limiter is not None:
                waited = self.limiter.acquire()
                if waited:
                    self.stats.add(rate_limit_waits=1, rate_limit_wait_s=waited)
            delay = None
            try:
                response = self._client.get(url, params=params)
            except httpx.RequestError as exc:
                shown = self._display(exc.request.url)
                self.stats.add(requests=1)
                self.stats.count(error=type(exc).__name__)
                if not isinstance(exc, RETRYABLE_ERRORS):
                    raise HttpError(f"GET {shown} failed: {_one_line(exc)}", url=shown) from exc
                reason = f"{type(exc).__name__}: {_one_line(exc)}"
            else:
                shown, status = self._display(response.url), response.status_code
                self.stats.add(requests=1, bytes=len(response.content))
                self.stats.count(status=status)
                if status < 400:
                    try:
                        return response, json.loads(response.content)
                    except ValueError:
                        reason = f"invalid JSON body ({len(response.content)} bytes)"
                elif status == 429 or status >= 500:
                    reason = f"{status} {response.reason_phrase}"
                    if status in (429, 503):
                        delay = parse_retry_after(response.headers.get("Retry-After"), self._now())
                else:
                    raise HttpError(
                        f"GET {shown} -> {status} {response.reason_phrase}{_detail(response)}",
                        url=shown,
                        status=status,
                    )
            if attempt >= self.max_retries:
                raise HttpError(
                    f"GET {shown} failed after {attempt + 1} attempts; last: {reason}", url=shown
                )
            if delay is None:
                delay = self._backoff(attempt)
            else:
                delay = min(delay, self.max_retry_after_s)
                if self.limiter is not None:
                    self.limiter.throttle(delay)
            self.stats.add(retries=1, retry_wait_s=delay)
            _log.info(
                f"GET {shown}: {reason}; retry {attempt + 1}/{self.max_retries} in {delay:.2f}s"
            )
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return self._jitter() * min(self.backoff_max_s, self.backoff_base_s * 2**attempt)

    def _display(self, url: httpx.URL) -> str:
        """The URL without the API key."""
        return str(url.copy_remove_param(self._secret_param) if self._secret_param else url)


def _one_line(value: object, limit: int = 200) -> str:
    return " ".join(str(value).split())[:limit]


def _detail(response: httpx.Response) -> str:
    """A short, single-line reason from an error body, if it has one."""
    try:
        body = response.json()
        text = body.get("error") or body.get("message") if isinstance(body, dict) else None
    except ValueError:
        text = response.text
    return f": {_one_line(text)}" if text else ""
