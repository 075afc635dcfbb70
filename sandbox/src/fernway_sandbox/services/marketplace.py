"""The marketplace API: cities, customers, products, orders and daily control totals."""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

import numpy as np
import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox.cities import city_records
from fernway_sandbox.malformed import MalformedLog, malformed_list
from fernway_sandbox.money import cents_str
from fernway_sandbox.services import params
from fernway_sandbox.services.base import ServiceContext, ServiceSpec
from fernway_sandbox.services.records import (
    customer_records,
    order_records,
    product_records,
    with_malformed,
)
from fernway_sandbox.truth import day_keys, marketplace_truth, per_day


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response serialised with orjson."""
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


def select(updated: np.ndarray, start: int, stop: int, since: int | None, want: int) -> np.ndarray:
    """Up to `want` positions in [start, stop) with updated_at >= since, scanning in chunks."""
    if since is None:
        return np.arange(start, max(start, min(stop, start + want)))
    found: list[np.ndarray] = []
    pos, chunk, count = start, max(4 * want, 4096), 0
    while pos < stop and count < want:
        end = min(stop, pos + chunk)
        hits = np.flatnonzero(updated[pos:end] >= since) + pos
        found.append(hits)
        pos, chunk, count = end, chunk * 2, count + len(hits)
    return np.concatenate(found)[:want] if found else np.zeros(0, dtype=np.int64)


class MarketplaceApp:
    """WSGI app serving the generated data set with bearer-token auth."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.log: MalformedLog = ctx.state.setdefault("malformed_log", MalformedLog())
        self.routes: dict[str, Callable[[Request], Response]] = {
            "/v1/cities": lambda r: json_response({"data": city_records()}),
            "/v1/customers": self.customers,
            "/v1/products": self.products,
            "/v1/orders": self.orders,
            "/v1/reports/daily_totals": self.daily_totals,
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route, authenticate and turn bad parameters into 400s."""
        if request.path == "/health":
            return json_response({"status": "ok"})
        handler = self.routes.get(request.path)
        if handler is None:
            return json_response({"error": f"no such endpoint {request.path}"}, 404)
        if request.method != "GET":
            return json_response({"error": "method not allowed"}, 405, {"Allow": "GET"})
        expected = f"Bearer {self.ctx.config.token}".encode()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            body = {"error": "missing or invalid bearer token"}
            return json_response(body, 401, {"WWW-Authenticate": "Bearer"})
        try:
            return handler(request)
        except params.BadRequest as exc:
            return json_response({"error": str(exc)}, 400)

    def paged(self, request: Request, idx: np.ndarray, serialize: Callable) -> Response:
        """Page-number pagination with an RFC 5988 Link header to the next page."""
        page = params.integer(request.args, "page", 1, 1, 10**9)
        size = params.integer(request.args, "page_size", 500, 1, 1000)
        pages = math.ceil(len(idx) / size)
        chosen = idx[(page - 1) * size : page * size]
        body = {
            "data": serialize(self.ctx.dataset, chosen),
            "page": page,
            "page_size": size,
            "total_pages": pages,
            "total": len(idx),
        }
        headers = {}
        if page < pages:
            query = urlencode({**request.args.to_dict(), "page": page + 1, "page_size": size})
            headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
        return json_response(body, headers=headers)

    def customers(self, request: Request) -> Response:
        """GET /v1/customers?page=&page_size=&updated_since="""
        since = params.instant(request.args, "updated_since")
        updated = self.ctx.dataset.customers.updated_at
        idx = np.arange(len(updated)) if since is None else np.flatnonzero(updated >= since)
        return self.paged(request, idx, customer_records)

    def products(self, request: Request) -> Response:
        """GET /v1/products?page=&page_size="""
        return self.paged(request, np.arange(len(self.ctx.dataset.products)), product_records)

    def orders(self, request: Request) -> Response:
        """GET /v1/orders?ordered_from=&ordered_to=&updated_since=&limit=&cursor="""
        args, o = request.args, self.ctx.dataset.orders
        first, stop = params.instant(args, "ordered_from"), params.instant(args, "ordered_to")
        limit = params.integer(args, "limit", 1000, 1, 10_000)
        lo = 0 if first is None else int(np.searchsorted(o.ordered_at, first))
        hi = len(o) if stop is None else int(np.searchsorted(o.ordered_at, stop))
        start = max(lo, params.decode_cursor(args.get("cursor")))
        idx = select(o.updated_at, start, hi, params.instant(args, "updated_since"), limit + 1)
        cursor = params.encode_cursor(int(idx[limit])) if len(idx) > limit else None
        idx = idx[:limit]
        rate = self.ctx.faults.faults.malformed_rate
        data = with_malformed(
            order_records(self.ctx.dataset, idx), idx, self.ctx.config.seed, rate, self.log
        )
        return json_response({"data": data, "next_cursor": cursor})

    def daily_totals(self, request: Request) -> Response:
        """GET /v1/reports/daily_totals?from=&to= (true data, one row per day)."""
        ds = self.ctx.dataset
        first = params.day(request.args, "from", ds.start)
        days = (params.day(request.args, "to", ds.end) - first).days
        if not 0 <= days <= 3660:
            raise params.BadRequest("to must be on or after from, at most 3660 days later")
        counts, cents = per_day(ds.orders.ordered_at, ds.orders.amount, first, days)
        keys = day_keys(first, days)
        return json_response(
            {
                "data": [
                    {"date": k, "orders": c, "amount": cents_str(a)}
                    for k, c, a in zip(keys, counts.tolist(), cents.tolist(), strict=True)
                ]
            }
        )


def truth(ctx: ServiceContext) -> dict:
    """Marketplace truth plus the deterministic malformed-record list."""
    ds = ctx.dataset
    rate = ctx.faults.faults.malformed_rate
    return {
        "marketplace": marketplace_truth(ds),
        "malformed": malformed_list(ctx.config.seed, len(ds.orders), rate),
    }


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where the platform finds the API and which token it uses."""
    return {"FERNWAY_MARKETPLACE_URL": ctx.url, "FERNWAY_MARKETPLACE_TOKEN": ctx.config.token}


def malformed(ctx: ServiceContext) -> list[dict[str, str]]:
    """Records served malformed so far: [{"order_id", "kind"}] sorted by order_id."""
    log: MalformedLog | None = ctx.state.get("malformed_log")
    return log.records() if log else []


SPEC = ServiceSpec(
    "marketplace", MarketplaceApp, env=env, truth=truth, cli_port=8701, recorded=malformed
)
