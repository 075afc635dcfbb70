"""Time named functions while the real code runs (wall seconds and calls per label)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Target = tuple[Any, str]  # (module or class, attribute name)


def _timed(func: Callable[..., Any], label: str, spent: dict[str, dict[str, float]]) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            entry = spent.setdefault(label, {"seconds": 0.0, "calls": 0})
            entry["seconds"] += time.perf_counter() - started
            entry["calls"] += 1

    return wrapper


@contextmanager
def probes(targets: dict[str, Target]) -> Iterator[dict[str, dict[str, float]]]:
    """Wrap each target for the duration of the block; yields label -> {seconds, calls}."""
    spent: dict[str, dict[str, float]] = {}
    saved = [(owner, name, owner.__dict__[name]) for owner, name in targets.values()]
    try:
        for label, (owner, name) in targets.items():
            setattr(owner, name, _timed(getattr(owner, name), label, spent))
        yield spent
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
