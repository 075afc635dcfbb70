"""SandboxConfig: what to generate and how to serve it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from fernway_sandbox.errors import ConfigError
from fernway_sandbox.faults import Faults, coerce_faults

DEFAULT_TOKEN = "sandbox-token"
DEFAULT_WEATHER_KEY = "sandbox-weather-key"
DEFAULT_SLACK_TOKEN = "xoxb-sandbox"
DEFAULT_GITHUB_TOKEN = "ghp_sandbox"
DEFAULT_COURIERS_TOKEN = "sandbox-couriers-token"
DEFAULT_DATAHUB_TOKEN = "sandbox-datahub-token"
MAX_DAYS = 3660


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (naive values are taken as UTC)."""
    if not isinstance(value, dt.datetime):
        raise ConfigError(f"clock must be a datetime, got {value!r}")
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC)


def default_start(days: int) -> dt.date:
    """Today (UTC) minus `days`, so the window ends today."""
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)


@dataclass(frozen=True)
class SandboxConfig:
    """Seed, size and date window of the generated data, plus serving options.

    `start=None` means today(UTC) - days. `ports` maps service -> port (missing or 0 = free port).
    `services=None` runs every registered service. `truth_path` (optional) is rewritten whenever
    the truth changes (start, put_export). `clock` fixes the services' "now" (UTC; naive means
    UTC; None = real time). `weather_calls_per_minute` is the weather API's per-key limit,
    counted in a rolling window of `weather_window_s` seconds (60, as OpenWeatherMap counts;
    shorter for fast pacing tests, e.g. 20 calls per 10 s). `github_rate_limit` is the GitHub
    API's primary limit per token and hour, `github_secondary_per_minute` its secondary limit.
    `timesheet_corrupt_files` of the courier timesheet files in S3 are corrupt (chosen from the
    seed). `couriers_token` and `datahub_token` are the courier app's and DataHub GMS's tokens.
    """

    seed: int = 42
    scale: int = 100_000
    start: dt.date | None = None
    days: int = 92
    faults: Mapping[str, Faults | Mapping[str, float] | str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    ports: Mapping[str, int] = field(default_factory=dict)
    token: str = DEFAULT_TOKEN
    services: tuple[str, ...] | None = None
    truth_path: Path | None = None
    weather_api_key: str = DEFAULT_WEATHER_KEY
    weather_calls_per_minute: int = 60
    weather_window_s: float = 60.0
    slack_token: str = DEFAULT_SLACK_TOKEN
    github_token: str = DEFAULT_GITHUB_TOKEN
    github_rate_limit: int = 5000
    github_secondary_per_minute: int = 900
    couriers_token: str = DEFAULT_COURIERS_TOKEN
    datahub_token: str = DEFAULT_DATAHUB_TOKEN
    timesheet_corrupt_files: int = 0
    clock: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.scale, int) or self.scale < 1:
            raise ConfigError(f"scale must be a positive integer, got {self.scale!r}")
        if not isinstance(self.days, int) or not 1 <= self.days <= MAX_DAYS:
            raise ConfigError(
                f"days must be an integer between 1 and {MAX_DAYS}, got {self.days!r}"
            )
        start = self.start if self.start is not None else default_start(self.days)
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise ConfigError(f"start must be a date, got {self.start!r}")
        for name, port in self.ports.items():
            if not isinstance(port, int) or not 0 <= port <= 65535:
                raise ConfigError(f"port for {name} must be 0..65535, got {port!r}")
        tokens = ("weather_api_key", "slack_token", "github_token", "couriers_token")
        for name in ("token", *tokens, "datahub_token"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ConfigError(f"{name} must be a non-empty string")
        limit = self.weather_calls_per_minute
        if not isinstance(limit, int) or limit < 1:
            raise ConfigError(f"weather_calls_per_minute must be a positive integer, got {limit!r}")
        for name in ("github_rate_limit", "github_secondary_per_minute"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        corrupt = self.timesheet_corrupt_files
        if isinstance(corrupt, bool) or not isinstance(corrupt, int) or corrupt < 0:
            raise ConfigError(
                f"timesheet_corrupt_files must be a non-negative integer, got {corrupt!r}"
            )
        window = self.weather_window_s
        if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
            raise ConfigError(f"weather_window_s must be a positive number, got {window!r}")
        if self.clock is not None:
            object.__setattr__(self, "clock", as_utc(self.clock))
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "faults", {k: coerce_faults(v) for k, v in self.faults.items()})
        object.__setattr__(self, "ports", dict(self.ports))
        if self.services is not None:
            object.__setattr__(self, "services", tuple(self.services))
        if self.truth_path is not None:
            object.__setattr__(self, "truth_path", Path(self.truth_path))

    @property
    def window_start(self) -> dt.date:
        """First day of the window (resolved `start`)."""
        assert self.start is not None
        return self.start

    @property
    def end(self) -> dt.date:
        """Day after the window (exclusive end)."""
        return self.window_start + dt.timedelta(days=self.days)

    def faults_for(self, service: str) -> Faults:
        """The configured faults of one service (none when not configured)."""
        value = self.faults.get(service)
        return value if isinstance(value, Faults) else Faults()


# The one place the sandbox's knobs have their defaults; the CLI and the demo read them here.
DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(SandboxConfig)}
