"""Conditional page reads: a page's `ETag` is remembered and sent back as `If-None-Match`.

GitHub answers an unchanged page `304 Not Modified` without counting it against the quota. A
304 stands for the page as last read, so a page is remembered only with the keys of its records
and only when every record was valid (a page with rejects is read again on every load, so its
rejects are filed again), and its ETag is sent only while the warehouse still holds every one of
those keys (what a 304 stands for must already be loaded). The memory lives in dlt's resource
state, which dlt stores in the warehouse with the load it belongs to: a failed load keeps the old.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient

# One remembered page: [etag, [key, ...]] (JSON, for dlt's state); None: read it again.
Remembered = list[Any] | None


@dataclass
class PageRead:
    """One repository's read of one endpoint: records fetched, keys of pages not modified."""

    items: list[dict] = field(default_factory=list)
    bounds: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, etag)
    kept: list[int] = field(default_factory=list)
    pages: list[Remembered] = field(default_factory=list)
    fetched: int = 0
    not_modified: int = 0


def read_pages(
    client: RESTClient,
    path: str,
    params: dict[str, Any] | None,
    headers: dict[str, str],
    remembered: Sequence[Remembered],
    held: Collection[int],
) -> PageRead:
    """Every page of `path` (`params` None: a single object), conditional where it may be."""
    read = PageRead()
    number = 1
    while True:
        known = remembered[number - 1] if number <= len(remembered) else None
        extra = dict(headers)
        if known is not None and all(k in held for k in known[1]):
            extra["If-None-Match"] = known[0]
        query = None if params is None else {**params, "page": number}
        response = client.get(path, params=query, headers=extra)
        if response.status_code == 304 and known is not None:
            read.not_modified += 1
            read.kept.extend(known[1])
            read.pages.append(known)
            more = params is not None and len(known[1]) == params["per_page"]
        else:
            response.raise_for_status()
            body = response.json()
            items = body if isinstance(body, list) else [body]
            start = len(read.items)
            read.items.extend(items)
            read.bounds.append((start, len(read.items), response.headers.get("ETag", "")))
            read.pages.append(None)  # settled by `remember` once the records are checked
            read.fetched += 1
            more = params is not None and "next" in response.links
        if not more:
            return read
        number += 1


def remember(read: PageRead, keys: Sequence[Any], rejected: Collection[int]) -> list[Remembered]:
    """What to remember of each page: fetched pages with an ETag and no rejected record get
    [etag, keys]; `keys[i]` is the key of `read.items[i]`, `rejected` the rejected positions."""
    fetched = iter(read.bounds)
    pages: list[Remembered] = []
    for page in read.pages:
        if page is not None:
            pages.append(page)
            continue
        start, end, etag = next(fetched)
        clean = etag and not any(i in rejected for i in range(start, end))
        pages.append([etag, list(keys[start:end])] if clean else None)
    return pages
