"""Pagination strategies: how to find a page's records and the request for the next page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

# The next request: (URL or None for the same path, query params), or None when done.
NextRequest = tuple[str | None, dict[str, Any]] | None


class Paginator(Protocol):
    """Reads records out of a page and decides what to request next."""

    def items(self, body: Any) -> list[Any]:
        """The records of one page."""
        ...

    def next_request(
        self, params: dict[str, Any], body: Any, response: httpx.Response
    ) -> NextRequest:
        """The request for the page after this one, or None."""
        ...


def _items(body: Any, key: str | None) -> list[Any]:
    if key is None:
        return body
    if not isinstance(body, dict) or key not in body:
        raise ValueError(f"page has no {key!r} list")
    return body[key]


@dataclass(frozen=True)
class SinglePage:
    """No pagination: one response (a list, or a dict holding the list under `items_key`)."""

    items_key: str = "data"

    def items(self, body: Any) -> list[Any]:
        """The records of the response."""
        return body if isinstance(body, list) else _items(body, self.items_key)

    def next_request(self, params: dict[str, Any], body: Any, response: httpx.Response) -> None:
        """There is never a next page."""
        return None


@dataclass(frozen=True)
class CursorPaginator:
    """`?cursor=<opaque>` pages; the next cursor is `body[next_key]`, null on the last page."""

    cursor_param: str = "cursor"
    next_key: str = "next_cursor"
    items_key: str = "data"

    def items(self, body: Any) -> list[Any]:
        """The records of one page."""
        return _items(body, self.items_key)

    def next_request(
        self, params: dict[str, Any], body: Any, response: httpx.Response
    ) -> NextRequest:
        """Same path with the next cursor, until the cursor is empty or repeats."""
        cursor = body.get(self.next_key)
        if not cursor or cursor == params.get(self.cursor_param):
            return None
        return None, {**params, self.cursor_param: cursor}


@dataclass(frozen=True)
class PageNumberPaginator:
    """`?page=N` pages, 1-based, until `total_pages` (or an empty page when it is absent)."""

    page_param: str = "page"
    total_pages_key: str = "total_pages"
    items_key: str = "data"

    def items(self, body: Any) -> list[Any]:
        """The records of one page."""
        return _items(body, self.items_key)

    def next_request(
        self, params: dict[str, Any], body: Any, response: httpx.Response
    ) -> NextRequest:
        """Same path with the page number incremented."""
        page = int(params.get(self.page_param, 1))
        total = body.get(self.total_pages_key)
        done = page >= int(total) if total is not None else not body.get(self.items_key)
        return None if done else (None, {**params, self.page_param: page + 1})


@dataclass(frozen=True)
class LinkHeaderPaginator:
    """RFC 5988 `Link: <url>; rel="next"` pages (as GitHub); the link carries the query."""

    items_key: str | None = None

    def items(self, body: Any) -> list[Any]:
        """The records of one page (the body itself when `items_key` is None)."""
        return _items(body, self.items_key)

    def next_request(
        self, params: dict[str, Any], body: Any, response: httpx.Response
    ) -> NextRequest:
        """The `rel="next"` URL, absolute, with no extra params."""
        link = response.links.get("next", {}).get("url")
        return (str(response.url.join(link)), {}) if link else None
