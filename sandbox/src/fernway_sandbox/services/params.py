"""Query parameter parsing for the HTTP services (errors become 400 responses)."""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping


class BadRequest(ValueError):
    """A query parameter is invalid."""


def instant(args: Mapping[str, str], name: str) -> int | None:
    """A date or ISO datetime parameter as epoch seconds (rounded up), None when absent."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO date or datetime, got {raw!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return math.ceil(value.timestamp())


def day(args: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    """A YYYY-MM-DD parameter."""
    raw = args.get(name)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def integer(args: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def encode_cursor(position: int) -> str:
    """Opaque cursor for a position in the (ordered_at, order_id) order."""
    return base64.urlsafe_b64encode(f"fw1:{position}".encode()).decode().rstrip("=")


def decode_cursor(raw: str | None) -> int:
    """Position encoded in a cursor (0 when absent)."""
    if not raw:
        return 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        prefix, position = text.split(":")
        if prefix != "fw1" or int(position) < 0:
            raise ValueError(text)
        return int(position)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(f"invalid cursor {raw!r}") from None
