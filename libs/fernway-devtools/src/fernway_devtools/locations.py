"""Load a code location's Definitions the way Dagster does, from its module."""

from __future__ import annotations

import importlib

import dagster as dg


def load_location(module: str, attribute: str = "defs") -> dg.Definitions:
    """The resolved Definitions of `module.attribute` (calling a @dg.definitions function)."""
    target = getattr(importlib.import_module(module), attribute)
    return target if isinstance(target, dg.Definitions) else target()
