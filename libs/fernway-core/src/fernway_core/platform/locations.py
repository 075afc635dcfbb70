"""Load a code location's Definitions the way Dagster does, from its module."""

from __future__ import annotations

import importlib

import dagster as dg
from dagster._core.definitions.reconstruct import load_def_in_module


def load_location(module: str, attribute: str = "defs") -> dg.Definitions:
    """The resolved Definitions of `module.attribute` (calling a @dg.definitions function)."""
    importlib.import_module(module)
    target = load_def_in_module(module, attribute, None)
    return target if isinstance(target, dg.Definitions) else target()
