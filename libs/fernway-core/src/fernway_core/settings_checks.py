"""Checks of single setting values: each returns the value or raises `ValueError(why)`.

`why` may be empty: the settings error then only says what the variable allows. `None` (unset)
passes every check; whether a value is required is decided across settings, in `settings`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit

from pydantic import SecretStr

T = TypeVar("T")

DUCKDB = "duckdb://"
POSTGRES_SCHEMES = ("postgresql", "postgres")
# Documented shapes: S3 bucket names, AWS region codes, Slack channels/IDs and bot tokens.
S3_BUCKET = r"(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
AWS_REGION = r"[a-z]{2}(-[a-z]+)+-\d{1,2}"
SLACK_CHANNEL = r"#[^\s#]{1,80}|[CGD][A-Z0-9]{8,}"
SLACK_BOT_TOKEN = r"xoxb-[A-Za-z0-9-]+"
NO_SPACES = r"\S+"
CELERY_QUEUE = r"[A-Za-z0-9_.-]{1,100}"
# GitHub owner (letters, digits, `-`) / repository (letters, digits, `.`, `_`, `-`), comma-separated
_GITHUB_REPO = r"\s*[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}\s*"
GITHUB_REPOS = rf"{_GITHUB_REPO}(?:,{_GITHUB_REPO})*"


def matches(pattern: str) -> Callable[[T], T]:
    """A check that the whole value (a secret's too) matches `pattern`."""
    compiled = re.compile(pattern)

    def check(value: T) -> T:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is not None and not compiled.fullmatch(str(text)):
            raise ValueError("")
        return value

    return check


def url(*schemes: str) -> Callable[[str | None], str | None]:
    """A check for `<scheme>://<host>[:port]...` URLs with one of `schemes`."""

    def check(value: str | None) -> str | None:
        if value is not None:
            parts = _split(value)
            if parts.scheme not in schemes or not parts.hostname:
                raise ValueError("")
        return value

    return check


def celery_backend(value: str) -> str:
    """`rpc://` (results over the broker) or `redis(s)://<host>...`."""
    if value != "rpc://":
        url("redis", "rediss")(value)
    return value


def warehouse_url(value: str | None) -> str | None:
    """`duckdb:///<abs path>` (its folder usable) or `postgresql://...` (`postgres://` too)."""
    if value is None:
        return value
    if value.startswith(DUCKDB):
        path = Path(value.removeprefix(DUCKDB))
        if not path.is_absolute():
            raise ValueError("the DuckDB path is not absolute")
        if path.is_dir():
            raise ValueError(f"{path} is a directory")
        creatable_dir(path.parent)
        return value
    parts = _split(value)
    if parts.scheme not in POSTGRES_SCHEMES or not (parts.hostname or parts.path.strip("/")):
        raise ValueError("")
    return value


def creatable_dir(path: Path) -> Path:
    """`path` if it is a writable directory or could be created as one."""
    try:
        existing = next(p for p in (path, *path.parents) if p.exists())
    except OSError as exc:
        raise ValueError(f"cannot look at {path}: {exc.strerror}") from None
    if not existing.is_dir():
        raise ValueError(f"{existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{existing} is not writable")
    return path


def shown(value: Any, *, secret: bool = False) -> str:
    """`value` quoted for an error message: one line, at most 80 characters, no URL password."""
    if secret:
        return "an empty value" if value == "" else "a value (not shown)"
    text = str(value)
    with suppress(ValueError):
        password = urlsplit(text).password
        if password:
            text = text.replace(f":{password}@", ":***@", 1)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _split(value: str) -> SplitResult:
    """The parts of a URL without whitespace whose port, if any, is a number in range."""
    if any(char.isspace() for char in value):
        raise ValueError("it contains whitespace")
    parts = urlsplit(value)
    try:
        _ = parts.port
    except ValueError:
        raise ValueError("the port is not a number in 0-65535") from None
    return parts
