"""Control API of a running sandbox, for drivers in other processes (CLI put-export, faults)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox.errors import ConfigError
from fernway_sandbox.services import params
from fernway_sandbox.services.base import ServiceContext, ServiceSpec


def reply(body: object, status: int = 200) -> Response:
    """A JSON response."""
    return Response(orjson.dumps(body), status, mimetype="application/json")


class ControlApp:
    """GET /truth, /malformed, /urls; POST /exports?day=&rows=; PUT /faults/<service>."""

    def __init__(self, ctx: ServiceContext) -> None:
        assert ctx.sandbox is not None
        self.sandbox = ctx.sandbox

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route one control request."""
        sandbox, path = self.sandbox, request.path.rstrip("/")
        try:
            if request.method == "GET" and path in ("/truth", "/malformed", "/urls", "/health"):
                views = {
                    "/truth": lambda: sandbox.truth,
                    "/malformed": lambda: sandbox.malformed,
                    "/urls": lambda: sandbox.urls,
                    "/health": lambda: {"status": "ok"},
                }
                return reply(views[path]())
            if request.method == "POST" and path == "/exports":
                day = params.day(request.args, "day", dt.datetime.now(dt.UTC).date())
                rows = params.integer(request.args, "rows", 0, 0, 10_000_000) or None
                return reply({"key": sandbox.put_export(day, rows)})
            if request.method == "PUT" and path.startswith("/faults/"):
                faults = sandbox.set_faults(
                    path.removeprefix("/faults/"), request.get_data(as_text=True)
                )
                return reply({"faults": faults.to_spec()})
        except (params.BadRequest, ConfigError) as exc:
            return reply({"error": str(exc)}, 400)
        return reply({"error": f"no such control endpoint {request.method} {path}"}, 404)


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where a driver finds the control API."""
    return {"FERNWAY_SANDBOX_CONTROL_URL": ctx.url}


SPEC = ServiceSpec("control", ControlApp, env=env, cli_port=8703)
