"""WSGI middleware injecting transient faults: latency, 5xx, 429 + Retry-After, truncated bodies."""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterable

import orjson

from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import Faults, parse_faults

CONTROL_PATH = "/_sandbox/faults"
CONTROL_HEADER = "X-Fernway-Sandbox-Control"  # requests carrying it bypass faults (seeding)
_CONTROL_ENV = "HTTP_" + CONTROL_HEADER.upper().replace("-", "_")
ERRORS = ("500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable")


class FaultState:
    """The current faults of one service plus its seeded random stream (thread-safe)."""

    def __init__(self, faults: Faults, seed: int, service: str) -> None:
        self.faults = faults
        self._rng = random.Random(f"{seed}:{service}")
        self._lock = threading.Lock()

    def draw(self) -> float:
        """Next uniform random number in [0, 1)."""
        with self._lock:
            return self._rng.random()


def json_response(
    start_response: Callable, status: str, body: object, headers: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    """Send `body` as a JSON response."""
    data = orjson.dumps(body)
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers],
    )
    return [data]


class FaultMiddleware:
    """Wrap a WSGI app so each request may be delayed, refused or cut short."""

    def __init__(self, app: Callable, state: FaultState) -> None:
        self.app = app
        self.state = state

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response)
        faults = self.state.faults
        if environ.get(_CONTROL_ENV) or not faults.active:
            return self.app(environ, start_response)
        if faults.latency_ms > 0:
            time.sleep(faults.latency_ms / 1000.0)
        u = self.state.draw()
        if u < faults.error_rate:
            status = ERRORS[int(self.state.draw() * len(ERRORS))]
            return json_response(start_response, status, {"error": f"injected fault: {status}"})
        if u < faults.error_rate + faults.rate_limit_rate:
            retry = [("Retry-After", f"{faults.retry_after_s:g}")]
            body = {"error": "injected fault: rate limited"}
            return json_response(start_response, "429 Too Many Requests", body, retry)
        if faults.truncate_rate > 0 and self.state.draw() < faults.truncate_rate:
            return self._truncated(environ, start_response)
        return self.app(environ, start_response)

    def _truncated(self, environ: dict, start_response: Callable) -> list[bytes]:
        """Serve the real response cut in the middle, with a matching Content-Length."""
        captured: list = []
        result = self.app(
            environ, lambda status, headers, exc=None: captured.extend([status, headers])
        )
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        cut = body[: len(body) // 2] if len(body) > 1 else body
        headers = [(k, v) for k, v in captured[1] if k.lower() != "content-length"]
        start_response(captured[0], [*headers, ("Content-Length", str(len(cut)))])
        return [cut]

    def _control(self, environ: dict, start_response: Callable) -> list[bytes]:
        """GET shows, PUT (body `k=v,...`) replaces this service's faults."""
        if environ.get("REQUEST_METHOD") == "PUT":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            spec = environ["wsgi.input"].read(size).decode()
            try:
                self.state.faults = parse_faults(spec)
            except ConfigError as exc:
                return json_response(start_response, "400 Bad Request", {"error": str(exc)})
        return json_response(start_response, "200 OK", dataclasses.asdict(self.state.faults))
