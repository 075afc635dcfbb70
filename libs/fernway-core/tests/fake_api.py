"""A real local HTTP server for client tests: scripted replies and faults per path."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    """One response: status, JSON (or raw bytes) body, headers, and optional faults."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    truncate_to: int | None = None  # send only this many body bytes, then hang up

    def payload(self) -> bytes:
        """The body as bytes."""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass
class Seen:
    """A request the server received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeApi:
    """Serves queued replies per path first, then route handlers; records every request."""

    def __init__(self) -> None:
        self.queues: dict[str, deque[Reply]] = defaultdict(deque)
        self.routes: dict[str, Callable[[dict[str, str]], Reply]] = {}
        self.requests: list[Seen] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query))
                api.requests.append(Seen(url.path, query, dict(self.headers)))
                reply = api.reply_for(url.path, query)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send(self, reply: Reply) -> None:
                time.sleep(reply.delay_s)
                payload = reply.payload()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.truncate_to is not None:
                    self.wfile.write(payload[: reply.truncate_to])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def reply_for(self, path: str, query: dict[str, str]) -> Reply:
        """The next queued reply for `path`, else its route, else 404."""
        if self.queues[path]:
            return self.queues[path].popleft()
        if path in self.routes:
            return self.routes[path](query)
        return Reply(404, {"error": f"no route {path}"})

    def queue(self, path: str, *replies: Reply) -> None:
        """Serve these replies, in order, to the next requests for `path`."""
        self.queues[path].extend(replies)

    def start(self) -> FakeApi:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
