"""Slack Web API stand-in: `chat.postMessage` and `auth.test`; every message is recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox.services.base import ServiceContext, ServiceSpec

IDENTITY = {
    "url": "https://fernway-sandbox.slack.com/",
    "team": "Fernway Sandbox",
    "user": "fernway-alerts",
    "team_id": "T0SANDBOX1",
    "user_id": "U0SANDBOX1",
    "bot_id": "B0SANDBOX1",
}
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")
MAX_TEXT = 40_000
MESSAGES_PATH = "/api/_sandbox/messages"


def reply(body: object, status: int = 200) -> Response:
    """A JSON response (Slack answers errors with HTTP 200 and `ok: false`)."""
    return Response(orjson.dumps(body), status, mimetype="application/json")


def channel_id(channel: str) -> str:
    """Slack answers with channel ids: ids pass through, a name gets a stable id."""
    if CHANNEL_ID.match(channel):
        return channel
    return "C" + hashlib.sha1(channel.lstrip("#").encode()).hexdigest()[:10].upper()


class MessageLog:
    """Every posted message, in order, with Slack-style unique `ts` values (thread-safe)."""

    def __init__(self) -> None:
        self._messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, now: dt.datetime, channel: str, **fields: Any) -> dict[str, Any]:
        """Record a message posted to `channel` (name or id); returns the record."""
        with self._lock:
            ts = f"{int(now.timestamp())}.{len(self._messages) + 1:06d}"
            record = {"channel": channel_id(channel), "channel_name": channel, "ts": ts, **fields}
            self._messages.append(record)
            return dict(record)

    def records(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages so far, oldest first; only one channel's (name or id) when given."""
        with self._lock:
            return [
                dict(m)
                for m in self._messages
                if channel is None or channel in (m["channel"], m["channel_name"])
            ]


def arguments(request: Request) -> dict[str, Any]:
    """Method arguments from the query, and a JSON or form body (ValueError: bad JSON)."""
    data: dict[str, Any] = request.args.to_dict()
    if request.is_json:
        body = orjson.loads(request.get_data() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        return {**data, **body}
    return {**data, **request.form.to_dict()}


def structured(value: Any) -> Any:
    """`blocks` / `attachments` arrive as JSON strings in form bodies (ValueError: bad JSON)."""
    return orjson.loads(value) if isinstance(value, str) and value else value or None


class SlackApp:
    """WSGI app answering like https://slack.com/api/ for the methods the platform uses."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.log: MessageLog = ctx.state.setdefault("messages", MessageLog())
        self.methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "chat.postMessage": self.post_message,
            "auth.test": lambda data: {"ok": True, **IDENTITY, "is_enterprise_install": False},
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route `/api/<method>`, check the bot token, run the method."""
        if request.path == "/health":
            return reply({"status": "ok"})
        if request.path == MESSAGES_PATH:
            return reply({"ok": True, "messages": self.log.records(request.args.get("channel"))})
        name = request.path.removeprefix("/api/")
        if not request.path.startswith("/api/") or name not in self.methods:
            return reply({"ok": False, "error": "unknown_method", "req_method": name}, 404)
        try:
            data = arguments(request)
        except ValueError:
            return reply({"ok": False, "error": "invalid_json"})
        error = self.auth_error(request, data)
        return reply({"ok": False, "error": error} if error else self.methods[name](data))

    def auth_error(self, request: Request, data: dict[str, Any]) -> str | None:
        """Slack's error for a missing (`not_authed`) or wrong (`invalid_auth`) token."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            token = str(data.get("token", ""))
        elif scheme != "Bearer":
            return "invalid_auth"
        if not token.strip():
            return "not_authed"
        if not hmac.compare_digest(token.strip().encode(), self.ctx.config.slack_token.encode()):
            return "invalid_auth"
        return None

    def post_message(self, data: dict[str, Any]) -> dict[str, Any]:
        """chat.postMessage: record the message and answer with it."""
        channel, text = str(data.get("channel") or ""), str(data.get("text") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        try:
            blocks, attachments = (
                structured(data.get("blocks")),
                structured(data.get("attachments")),
            )
        except ValueError:
            return {"ok": False, "error": "invalid_blocks_format"}
        if not (text or blocks or attachments):
            return {"ok": False, "error": "no_text"}
        if len(text) > MAX_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        extra = {"blocks": blocks, "attachments": attachments, "thread_ts": data.get("thread_ts")}
        record = self.log.add(self.ctx.now(), channel, text=text, **extra)
        message = {
            "type": "message",
            "text": text,
            "user": IDENTITY["user_id"],
            "bot_id": IDENTITY["bot_id"],
            "team": IDENTITY["team_id"],
            "ts": record["ts"],
            **{k: v for k, v in extra.items() if v},
        }
        return {"ok": True, "channel": record["channel"], "ts": record["ts"], "message": message}


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where slack_sdk's WebClient posts (`base_url`) and the bot token it sends."""
    base_url = f"{ctx.url}/api/" if ctx.url else ""
    return {"FERNWAY_SLACK_BASE_URL": base_url, "FERNWAY_SLACK_TOKEN": ctx.config.slack_token}


def messages(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Every message posted so far, oldest first."""
    log: MessageLog | None = ctx.state.get("messages")
    return log.records() if log else []


SPEC = ServiceSpec("slack", SlackApp, env=env, cli_port=8705, recorded=messages)
