"""OpenWeatherMap-compatible API: current weather, 5 day / 3 hour forecast, hourly history.

Paths as OpenWeatherMap serves them: `/data/2.5/weather`, `/data/2.5/forecast` (api host) and
`/data/2.5/history/city` (history host, paid plans); the sandbox answers all three on one port.
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
from collections.abc import Callable, Iterable, Mapping

import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox import owm
from fernway_sandbox.climate import Place
from fernway_sandbox.ratelimit import RollingLimit, retry_after
from fernway_sandbox.services import params
from fernway_sandbox.services.base import ServiceContext, ServiceSpec
from fernway_sandbox.weather_reports import current, forecast, history

KEY_MESSAGE = "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."
LIMIT_MESSAGE = (
    "Your account is temporary blocked due to exceeding of requests limitation of your "
    "subscription type. Please choose the proper subscription https://openweathermap.org/price"
)
ENDPOINTS = {
    "/data/2.5/weather": "weather",
    "/data/2.5/forecast": "forecast",
    "/data/2.5/history/city": "history",
}
COUNTS = ("weather", "forecast", "history", "rate_limited", "unauthorized")
MAX_HISTORY_HOURS = 7 * 24  # "a maximum of 1 week in one API response"


def reply(body: object, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response."""
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


def place_and_units(args: Mapping[str, str], seed: int) -> tuple[Place, str]:
    """The place from `lat`/`lon` (errors worded like OpenWeatherMap's) and the units."""
    if "lat" not in args or "lon" not in args:
        raise params.BadRequest("Nothing to geocode")
    values = []
    for name, word, bound in (("lat", "latitude", 90), ("lon", "longitude", 180)):
        try:
            value = float(args[name])
        except ValueError:
            raise params.BadRequest(f"wrong {word}") from None
        if not -bound <= value <= bound:
            raise params.BadRequest(f"wrong {word}")
        values.append(value)
    units = args.get("units", "standard")
    return Place(seed, *values), units if units in owm.UNITS else "standard"


def history_hours(args: Mapping[str, str], now: dt.datetime) -> tuple[int, int]:
    """(first, last) epoch hours asked for by `type=hour&start=&end=|cnt=`, up to the last
    complete hour before `now`; at most one week."""
    if args.get("type") != "hour":
        raise params.BadRequest("type must be hour")
    start = params.integer(args, "start", -1, 0, 2**40)
    if start < 0:
        raise params.BadRequest("start is required")
    first = -(-start // 3600)
    if args.get("end"):
        last = params.integer(args, "end", 0, start, 2**40) // 3600
    else:
        last = first + params.integer(args, "cnt", 1, 1, MAX_HISTORY_HOURS) - 1
    if last - first + 1 > MAX_HISTORY_HOURS:
        raise params.BadRequest("requested period exceeds one week")
    return first, min(last, int(now.timestamp()) // 3600 - 1)


class WeatherApp:
    """WSGI app: API key check, per-key rolling rate limit, then the weather model."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.limit = RollingLimit(ctx.config.weather_calls_per_minute, ctx.config.weather_window_s)
        self.counts: dict[str, int] = ctx.state.setdefault("counts", dict.fromkeys(COUNTS, 0))
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def count(self, what: str) -> None:
        """Add one to a served-calls counter (reported in the truth)."""
        with self.lock:
            self.counts[what] += 1

    def dispatch(self, request: Request) -> Response:
        """Route, check the key and the limit, then answer."""
        if request.path == "/health":
            return reply({"status": "ok"})
        endpoint = ENDPOINTS.get(request.path.rstrip("/"))
        if endpoint is None:
            return reply({"cod": "404", "message": "Internal error"}, 404)
        key = request.args.get("appid", "")
        if not hmac.compare_digest(key.encode(), self.ctx.config.weather_api_key.encode()):
            self.count("unauthorized")
            return reply({"cod": 401, "message": KEY_MESSAGE}, 401)
        wait = self.limit.acquire(key)
        if wait > 0:
            self.count("rate_limited")
            return reply(
                {"cod": 429, "message": LIMIT_MESSAGE}, 429, {"Retry-After": retry_after(wait)}
            )
        try:
            place, units = place_and_units(request.args, self.ctx.config.seed)
            if endpoint == "weather":
                body = current(place, units, self.ctx.now())
            elif endpoint == "history":
                body = history(place, units, *history_hours(request.args, self.ctx.now()))
            else:
                steps = params.integer(request.args, "cnt", 40, 1, 40)
                body = forecast(place, units, self.ctx.now(), steps)
        except params.BadRequest as exc:
            return reply({"cod": "400", "message": str(exc)}, 400)
        self.count(endpoint)
        return reply(body)


def truth(ctx: ServiceContext) -> dict:
    """The key and limit (calls per window) in force and the calls answered so far (faults not
    counted)."""
    counts = dict(ctx.state.get("counts") or dict.fromkeys(COUNTS, 0))
    return {
        "weather": {
            "api_key": ctx.config.weather_api_key,
            "calls_per_minute": ctx.config.weather_calls_per_minute,
            "window_s": ctx.config.weather_window_s,
            "calls_served": counts["weather"] + counts["forecast"] + counts["history"],
            "by_endpoint": {name: counts[name] for name in ("weather", "forecast", "history")},
            "rate_limited": counts["rate_limited"],
            "unauthorized": counts["unauthorized"],
        }
    }


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where the platform finds the weather API and which key it uses."""
    return {
        "FERNWAY_WEATHER_URL": ctx.url,
        "FERNWAY_WEATHER_HISTORY_URL": ctx.url,
        "FERNWAY_WEATHER_API_KEY": ctx.config.weather_api_key,
        "FERNWAY_WEATHER_CALLS_PER_MINUTE": str(ctx.config.weather_calls_per_minute),
    }


SPEC = ServiceSpec("weather", WeatherApp, env=env, truth=truth, cli_port=8704)
