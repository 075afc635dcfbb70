"""Run config whose validation errors are one line (pydantic's are a multi-line report)."""

from __future__ import annotations

from typing import Any

import dagster as dg
from pydantic import ValidationError


class ConfigValueError(ValueError):
    """Run config failed validation; the message is one line naming each bad field."""


def one_line(title: str, exc: ValidationError) -> str:
    """`invalid <title>: field=value: reason; ...` from a pydantic ValidationError."""
    problems = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigValueError):  # a nested config already said it in one line
            problems.append(str(cause))
            continue
        field = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if field and "input" in error and not isinstance(error["input"], dict):
            field = f"{field}={error['input']!r}"
        problems.append(f"{field}: {message}" if field else message)
    return f"invalid {title}: " + "; ".join(problems)


class ValidatedConfig(dg.Config):
    """A `dg.Config` that raises ConfigValueError (one line) instead of a ValidationError."""

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigValueError(one_line(type(self).__name__, exc)) from None
