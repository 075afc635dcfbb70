"""Helpers shared by the tests: an authenticated client and pagination walkers."""

from __future__ import annotations

from decimal import Decimal

import httpx

from fernway_sandbox.sandbox import Sandbox

TOKEN_HEADER = {"Authorization": "Bearer sandbox-token"}


def client(sandbox: Sandbox) -> httpx.Client:
    """An httpx client for the sandbox's marketplace API with the default token."""
    return httpx.Client(base_url=sandbox.urls["marketplace"], headers=TOKEN_HEADER, timeout=30)


def all_orders(api: httpx.Client, **params: object) -> list[dict]:
    """Follow next_cursor until the end; returns every record served."""
    records: list[dict] = []
    query = dict(params)
    while True:
        body = api.get("/v1/orders", params=query).raise_for_status().json()
        records.extend(body["data"])
        if body["next_cursor"] is None:
            return records
        query["cursor"] = body["next_cursor"]


def all_pages(api: httpx.Client, path: str, **params: object) -> tuple[list[dict], int]:
    """Follow Link rel=next headers; returns (records, number of pages fetched)."""
    response = api.get(path, params=params).raise_for_status()
    records, pages = list(response.json()["data"]), 1
    while "next" in response.links:
        response = api.get(response.links["next"]["url"]).raise_for_status()
        records.extend(response.json()["data"])
        pages += 1
    return records, pages


def cents(amount: str) -> int:
    """A 2-decimal money string as integer cents (exact)."""
    return int(Decimal(amount) * 100)
