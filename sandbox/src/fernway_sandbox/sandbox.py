"""Sandbox: generate the data, serve every stand-in service on loopback, report the truth."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from fernway_sandbox.clock import SandboxClock
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.dataset import Dataset, generate
from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import Faults, coerce_faults
from fernway_sandbox.middleware import FaultMiddleware, FaultState
from fernway_sandbox.server import ChildServer, ThreadServer
from fernway_sandbox.services import REGISTRY, ServiceContext


class Sandbox:
    """Local stand-ins for Fernway's external systems (see SandboxConfig)."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = SandboxClock(self.config.clock)
        names = self.config.services or tuple(REGISTRY)
        unknown = sorted({*names, *self.config.faults, *self.config.ports} - set(REGISTRY))
        if unknown:
            raise ConfigError(f"unknown service(s) {unknown} (known: {', '.join(REGISTRY)})")
        self._contexts = {
            name: ServiceContext(
                name,
                self.config,
                FaultState(self.config.faults_for(name), self.config.seed, name),
                self,
            )
            for name in names
        }
        self._servers: dict[str, ThreadServer | ChildServer] = {}
        self._lock = threading.RLock()

    @cached_property
    def dataset(self) -> Dataset:
        """The generated data (numpy columns; `.tables()` gives Arrow tables)."""
        c = self.config
        return generate(c.seed, c.scale, c.window_start, c.days)

    def start(self) -> Sandbox:
        """Generate the data and start every service; returns self once all are ready."""
        with self._lock:
            if self._servers:
                return self
            try:
                self._start()
            except BaseException:
                self.stop()
                raise
        self._save_truth()
        return self

    def _start(self) -> None:
        c = self.config
        for name, ctx in self._contexts.items():  # children first: they boot while we generate
            spec, port = REGISTRY[name], c.ports.get(name, 0)
            if spec.isolated:
                self._servers[name] = ChildServer(name, c.host, port, c.seed, ctx.faults.faults)
                self._servers[name].launch()
        _ = self.dataset  # generate now, while the children import
        for name, ctx in self._contexts.items():
            spec = REGISTRY[name]
            if not spec.isolated:
                handler = spec.request_handler() if spec.request_handler else None
                app = FaultMiddleware(spec.create_app(ctx), ctx.faults)
                self._servers[name] = ThreadServer(app, c.host, c.ports.get(name, 0), handler)
                self._servers[name].launch()
        for name, server in self._servers.items():
            self._contexts[name].url = server.wait_ready()
        for name, ctx in self._contexts.items():
            if (on_ready := REGISTRY[name].on_ready) is not None:
                on_ready(ctx)

    def stop(self) -> None:
        """Stop every service (idempotent)."""
        with self._lock:
            for server in reversed(list(self._servers.values())):
                server.stop()
            self._servers.clear()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return bool(self._servers)

    @property
    def urls(self) -> dict[str, str]:
        """Base URL per running service."""
        return {name: ctx.url for name, ctx in self._contexts.items() if ctx.url and self.running}

    def env(self) -> dict[str, str]:
        """Environment variables that point the platform at this sandbox (URLs set once started)."""
        result: dict[str, str] = {}
        for name, ctx in self._contexts.items():
            result.update(REGISTRY[name].env(ctx))
        return result

    @property
    def truth(self) -> dict:
        """Ground truth of the true data (contract shape), independent of injected faults."""
        c = self.config
        result: dict = {
            "seed": c.seed,
            "scale": c.scale,
            "start": c.window_start.isoformat(),
            "end": c.end.isoformat(),
        }
        with self._lock:
            for name, ctx in self._contexts.items():
                if (section := REGISTRY[name].truth) is not None:
                    result.update(section(ctx))
        return result

    def write_truth(self, path: str | os.PathLike[str]) -> Path:
        """Write the truth as JSON (atomically); returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(orjson.dumps(self.truth, option=orjson.OPT_INDENT_2))
        tmp.replace(target)
        return target

    def _save_truth(self) -> None:
        if self.config.truth_path is not None:
            self.write_truth(self.config.truth_path)

    def call(self, service: str, action: str, *args: Any, **kwargs: Any) -> Any:
        """Run one of a started service's `actions` (its state changes: the truth follows)."""
        actions = REGISTRY[service].actions if service in REGISTRY else {}
        if action not in actions:
            raise ConfigError(f"service {service!r} has no action {action!r}")
        with self._lock:
            if service not in self._servers:
                raise RuntimeError(
                    f"{action} needs a started sandbox running the {service} service"
                )
            result = actions[action](self._contexts[service], *args, **kwargs)
        self._save_truth()
        return result

    def recorded(self, service: str) -> list[dict]:
        """What `service` recorded so far ([] when it records nothing or is not in this sandbox)."""
        ctx, spec = self._contexts.get(service), REGISTRY.get(service)
        return spec.recorded(ctx) if ctx is not None and spec and spec.recorded else []

    @property
    def malformed(self) -> list[dict[str, str]]:
        """Records served malformed so far: [{"order_id", "kind"}] sorted by order_id."""
        return self.recorded("marketplace")

    @property
    def slack_messages(self) -> list[dict]:
        """Messages posted to the slack service so far, oldest first."""
        return self.recorded("slack")

    def set_clock(self, when: dt.datetime | None) -> None:
        """Fix the services' "now" at `when` (naive = UTC), or follow real time again (None)."""
        self.clock.set(when)

    def put_export(self, day: dt.date, rows: int | None = None) -> str:
        """Upload an extra partner export file for `day` (truth is updated); returns its key."""
        return self.call("s3", "put_export", day, rows)

    def set_faults(
        self,
        service: str,
        faults: Faults | Mapping[str, float] | str | None = None,
        **values: float,
    ) -> Faults:
        """Replace a service's faults at runtime (`None` and no values = no faults)."""
        if service not in self._contexts:
            raise ConfigError(f"service {service!r} is not part of this sandbox")
        new = coerce_faults(values) if faults is None else coerce_faults(faults)
        if faults is not None and values:
            new = coerce_faults({**dataclasses.asdict(new), **values})
        with self._lock:
            self._contexts[service].faults.faults = new
            if service in self._servers:
                self._servers[service].set_faults(new)
        self._save_truth()
        return new
