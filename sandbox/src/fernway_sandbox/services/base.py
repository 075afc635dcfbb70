"""What a service is: a spec (WSGI app factory + hooks) and the context it runs with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fernway_sandbox.clock import SandboxClock
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.middleware import FaultState

if TYPE_CHECKING:
    from fernway_sandbox.dataset import Dataset
    from fernway_sandbox.sandbox import Sandbox

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass
class ServiceContext:
    """Everything a running service may use; `sandbox` is None inside a child process."""

    name: str
    config: SandboxConfig
    faults: FaultState
    sandbox: Sandbox | None = None
    url: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def dataset(self) -> Dataset:
        """The generated data (only available in the sandbox's own process)."""
        if self.sandbox is None:
            raise RuntimeError(f"service {self.name} has no data set in a child process")
        return self.sandbox.dataset

    def now(self) -> dt.datetime:
        """The sandbox clock's current instant (the configured clock in a child process)."""
        if self.sandbox is None:
            return SandboxClock(self.config.clock).now()
        return self.sandbox.clock.now()


def _no_env(ctx: ServiceContext) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class ServiceSpec:
    """One stand-in service.

    `create_app` builds its WSGI app; `env` gives the variables the platform reads to reach it;
    `truth` its section of the ground truth; `on_ready` seeds it once it listens; `isolated`
    runs it in a child process (for libraries with process-global state, like moto);
    `request_handler` returns a werkzeug request handler class; `cli_port` is its CLI port;
    `actions` are operations a driver runs on the started service (`Sandbox.call`, which
    re-saves the truth after each); `recorded` lists what it recorded so far (`Sandbox.recorded`).
    """

    name: str
    create_app: Callable[[ServiceContext], WSGIApp]
    env: Callable[[ServiceContext], dict[str, str]] = _no_env
    truth: Callable[[ServiceContext], dict[str, Any]] | None = None
    on_ready: Callable[[ServiceContext], None] | None = None
    isolated: bool = False
    request_handler: Callable[[], type] | None = None
    cli_port: int = 0
    actions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    recorded: Callable[[ServiceContext], list[dict[str, Any]]] | None = None
