"""pytest fixtures (entry point `pytest11`): `sandbox` (session, small) and `sandbox_factory`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from fernway_sandbox.config import SandboxConfig

if TYPE_CHECKING:
    from fernway_sandbox.sandbox import Sandbox

SMALL = SandboxConfig(seed=42, scale=5000, start=dt.date(2026, 8, 1), days=10)


def start_sandbox(config: SandboxConfig) -> Sandbox:
    """Start a sandbox on free ports (ports in `config` are ignored)."""
    from fernway_sandbox.sandbox import Sandbox

    return Sandbox(dataclasses.replace(config, ports={})).start()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A running small sandbox (seed 42, scale 5000, 10 days from 2026-08-01, no faults)."""
    with start_sandbox(SMALL) as running:
        yield running


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes: `factory(config=None, **overrides)`; all are stopped at teardown.

    Without `config` the small session config is the base; keyword overrides replace fields,
    e.g. `sandbox_factory(seed=7, faults={"marketplace": "error_rate=0.2"})`.
    """
    started: list[Sandbox] = []

    def factory(config: SandboxConfig | None = None, **overrides: Any) -> Sandbox:
        running = start_sandbox(dataclasses.replace(config or SMALL, **overrides))
        started.append(running)
        return running

    yield factory
    for running in reversed(started):
        running.stop()
