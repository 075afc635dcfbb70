"""Fernway sandbox: local stand-ins for external systems, served over real HTTP on loopback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import Faults

if TYPE_CHECKING:
    from fernway_sandbox.sandbox import Sandbox

__all__ = ["ConfigError", "Faults", "Sandbox", "SandboxConfig"]


def __getattr__(name: str) -> object:
    """Import the heavy Sandbox (numpy, pyarrow, werkzeug) only when used."""
    if name == "Sandbox":
        from fernway_sandbox.sandbox import Sandbox

        return Sandbox
    raise AttributeError(name)
