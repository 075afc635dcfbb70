"""The courier app's API: couriers, shifts, deliveries and payouts as they stand on the clock.

`GET /v1/<entity>?updated_since=&limit=&cursor=` lists records in (updated_at, id) order with a
keyset cursor, so records updated while a client pages move behind it and are never skipped.
Bearer-token auth; `malformed_rate` corrupts delivered deliveries deterministically.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Iterable

import numpy as np
import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox.courier_truth import courier_truth, malformed_deliveries
from fernway_sandbox.couriers import Fleet, fleet_of
from fernway_sandbox.malformed import KINDS, MalformedLog, corrupt, malformed_kinds
from fernway_sandbox.services import params
from fernway_sandbox.services.base import ServiceContext, ServiceSpec
from fernway_sandbox.services.courier_records import ENTITIES, Entity

DELIVERY_FIELDS = ("delivery_id", "fee", "distance_m", "status")
MALFORMED_SALT = 1 << 40  # deliveries draw their malformed kinds apart from the orders'


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response serialised with orjson."""
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


def encode_cursor(updated: int, position: int) -> str:
    """Opaque keyset cursor: the (updated_at, position) of the last record served."""
    return base64.urlsafe_b64encode(f"cw1:{updated}:{position}".encode()).decode().rstrip("=")


def decode_cursor(raw: str | None) -> tuple[int, int]:
    """(updated_at, position) after which a page starts; (-1, -1) when absent."""
    if not raw:
        return -1, -1
    try:
        prefix, updated, position = (
            base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split(":")
        )
        if prefix != "cw1":
            raise ValueError(prefix)
        return int(updated), int(position)
    except (ValueError, UnicodeDecodeError):
        raise params.BadRequest(f"invalid cursor {raw!r}") from None


def page(updated: np.ndarray, since: int | None, after: tuple[int, int], limit: int) -> np.ndarray:
    """Positions of the next `limit` + 1 visible records in (updated_at, position) order."""
    position = np.arange(len(updated))
    last, at = after
    mask = (updated >= (0 if since is None else since)) & (
        (updated > last) | ((updated == last) & (position > at))
    )
    hits = np.flatnonzero(mask)
    if len(hits) > limit + 1:
        cut = np.partition(updated[hits], limit)[limit]
        hits = hits[updated[hits] <= cut]
    return hits[np.lexsort((hits, updated[hits]))][: limit + 1]


class CourierApp:
    """WSGI app serving the couriers' records at the sandbox clock's instant."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.log: MalformedLog = ctx.state.setdefault("malformed_log", MalformedLog("delivery_id"))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route, authenticate and turn bad parameters into 400s."""
        if request.path == "/health":
            return json_response({"status": "ok"})
        entity = ENTITIES.get(request.path.removeprefix("/v1/").rstrip("/"))
        if entity is None or not request.path.startswith("/v1/"):
            return json_response({"error": f"no such endpoint {request.path}"}, 404)
        if request.method != "GET":
            return json_response({"error": "method not allowed"}, 405, {"Allow": "GET"})
        expected = f"Bearer {self.ctx.config.couriers_token}".encode()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            body = {"error": "missing or invalid bearer token"}
            return json_response(body, 401, {"WWW-Authenticate": "Bearer"})
        try:
            return self.listing(request, entity)
        except params.BadRequest as exc:
            return json_response({"error": str(exc)}, 400)

    def listing(self, request: Request, entity: Entity) -> Response:
        """GET /v1/<entity>?updated_since=&limit=&cursor="""
        fleet, now = fleet_of(self.ctx.dataset), int(self.ctx.now().timestamp())
        limit = params.integer(request.args, "limit", 500, 1, 5000)
        since = params.instant(request.args, "updated_since")
        updated = entity.updated(fleet, now)
        idx = page(updated, since, decode_cursor(request.args.get("cursor")), limit)
        more = len(idx) > limit
        idx = idx[:limit]
        data = entity.records(fleet, idx, now)
        if entity.key == "delivery_id":
            data = self.malformed(fleet, data, idx, now)
        cursor = encode_cursor(int(updated[idx[-1]]), int(idx[-1])) if more else None
        return json_response({"data": data, "next_cursor": cursor, "has_more": more})

    def malformed(self, fleet: Fleet, records: list[dict], idx: np.ndarray, now: int) -> list:
        """Replace this page's deterministic malformed deliveries (once delivered) and log them."""
        rate = self.ctx.faults.faults.malformed_rate
        if rate <= 0:
            return records
        kinds = malformed_kinds(self.ctx.config.seed, idx + MALFORMED_SALT, rate)
        kinds = np.where(fleet.deliveries.delivered_at[idx] <= now, kinds, -1)
        served: list[dict] = []
        for record, kind in zip(records, kinds.tolist(), strict=True):
            if kind < 0:
                served.append(record)
                continue
            self.log.add(record["delivery_id"], KINDS[kind])
            served.extend(corrupt(record, KINDS[kind], DELIVERY_FIELDS))
        return served


def truth(ctx: ServiceContext) -> dict:
    """Every entity per day as of the window end, and the deliveries served malformed."""
    fleet = fleet_of(ctx.dataset)
    result = courier_truth(fleet, ctx.dataset.start, ctx.dataset.days)
    rate = ctx.faults.faults.malformed_rate
    result["malformed"] = malformed_deliveries(ctx.config.seed, fleet, rate, MALFORMED_SALT)
    return {"couriers": result}


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where the platform finds the courier app's API and which token it uses."""
    return {"FERNWAY_COURIERS_URL": ctx.url, "FERNWAY_COURIERS_TOKEN": ctx.config.couriers_token}


def malformed(ctx: ServiceContext) -> list[dict[str, str]]:
    """Deliveries served malformed so far: [{"delivery_id", "kind"}] sorted by delivery_id."""
    log: MalformedLog | None = ctx.state.get("malformed_log")
    return log.records() if log else []


SPEC = ServiceSpec("couriers", CourierApp, env=env, truth=truth, cli_port=8707, recorded=malformed)
