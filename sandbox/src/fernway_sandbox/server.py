"""Run a service's WSGI app on loopback: in a thread, or in a child process."""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import Faults
from fernway_sandbox.middleware import CONTROL_PATH
from fernway_sandbox.services.base import WSGIApp

READY_TIMEOUT_S = 60.0


def quiet(handler: type[WSGIRequestHandler]) -> type[WSGIRequestHandler]:
    """A subclass of `handler` that does not log every request."""
    return type(f"Quiet{handler.__name__}", (handler,), {"log_request": lambda *a, **k: None})


def bind(
    app: WSGIApp, host: str, port: int, handler: type[WSGIRequestHandler] | None = None
) -> BaseWSGIServer:
    """A threaded werkzeug server listening on host:port (0 = free port)."""
    try:
        sock = socket.create_server((host, port), backlog=128)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    with sock:
        request_handler = quiet(handler or WSGIRequestHandler)
        return make_server(
            host,
            sock.getsockname()[1],
            app,
            threaded=True,
            request_handler=request_handler,
            fd=sock.fileno(),
        )


def url_of(server: BaseWSGIServer) -> str:
    """Base URL of a bound server."""
    host, port = server.socket.getsockname()[:2]
    return f"http://{host}:{port}"


class ThreadServer:
    """Serve an app from a daemon thread of this process."""

    def __init__(self, app: WSGIApp, host: str, port: int, handler: type | None = None) -> None:
        self._args = (app, host, port, handler)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def launch(self) -> None:
        """Bind and start serving."""
        self._server = bind(*self._args)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait_ready(self) -> str:
        """Base URL (the socket already listens after launch)."""
        assert self._server is not None
        return url_of(self._server)

    def set_faults(self, faults: Faults) -> None:
        """Nothing to do: the middleware reads the shared FaultState."""

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


class ChildServer:
    """Serve a registered service from a child process (`python -m fernway_sandbox.child`)."""

    def __init__(self, service: str, host: str, port: int, seed: int, faults: Faults) -> None:
        self._argv = [service, host, str(port), str(seed), faults.to_spec()]
        self._proc: subprocess.Popen | None = None
        self._url = ""

    def launch(self) -> None:
        """Start the child process (returns at once; see wait_ready)."""
        cmd = [sys.executable, "-m", "fernway_sandbox.child", *self._argv]
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )

    def wait_ready(self) -> str:
        """Wait for the child's `READY <port>` line and return its base URL."""
        assert self._proc is not None
        assert self._proc.stdout is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self._proc.stdout], [], [], 0.2)
            if readable:
                line = self._proc.stdout.readline().split()
                if not line:
                    code = self._proc.wait()
                    raise RuntimeError(f"service {self._argv[0]} exited with code {code}")
                if line[:1] == ["READY"]:
                    self._url = f"http://{self._argv[1]}:{line[1]}"
                    return self._url
                raise ConfigError(f"service {self._argv[0]} failed to start: {' '.join(line[1:])}")
        raise RuntimeError(f"service {self._argv[0]} not ready after {READY_TIMEOUT_S:.0f}s")

    def set_faults(self, faults: Faults) -> None:
        """Send the new faults to the child's control endpoint."""
        request = urllib.request.Request(
            self._url + CONTROL_PATH, data=faults.to_spec().encode(), method="PUT"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        """Terminate the child and reap it."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None
