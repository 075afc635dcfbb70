"""Typed platform settings from `FERNWAY_*` environment variables and the repo-root `.env`."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, DotEnvSettingsSource, SettingsConfigDict

ENV_PREFIX = "FERNWAY_"
# Defaults that depend on where the repo is; shown in docs instead of a machine's path.
_DOC_DEFAULTS = {
    "data_dir": "<repo root>/data",
    "warehouse_url": "duckdb:///<data_dir>/warehouse.duckdb",
    "start_date": "today (UTC) - days",
}


class SettingsError(ValueError):
    """Settings failed validation; the message is one line naming the variables."""


def find_repo_root(start: Path | None = None) -> Path:
    """The first directory at or above `start` (default: cwd) holding `dg.toml`, else `start`."""
    here = (start or Path.cwd()).resolve()
    return next((p for p in (here, *here.parents) if (p / "dg.toml").is_file()), here)


class FernwaySettings(BaseSettings):
    """Every setting the platform reads; one env var per field, prefixed `FERNWAY_`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    env: Literal["local", "branch", "prod"] = Field("local", description="Deployment environment.")
    data_dir: Path = Field(
        default_factory=lambda: find_repo_root() / "data",
        description="Runtime data directory (DuckDB file, alerts, sandbox truth).",
    )
    warehouse_url: str | None = Field(
        None, description="`duckdb:///abs/path.duckdb` or `postgresql://...`; required in prod."
    )
    marketplace_url: str = Field("http://127.0.0.1:8701", description="Marketplace API base URL.")
    marketplace_token: SecretStr = Field(
        SecretStr("sandbox-token"), description="Bearer token for the marketplace API."
    )
    s3_endpoint_url: str | None = Field(
        "http://127.0.0.1:8702", description="S3 endpoint (empty for AWS itself)."
    )
    s3_exports_bucket: str = Field("fernway-exports", description="Bucket of partner exports.")
    aws_region: str = Field("us-east-1", description="AWS region of the exports bucket.")
    alert_sink: Literal["log", "slack"] = Field("log", description="Where alerts are sent.")
    slack_base_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (the sandbox's is `<url>/api/`).",
    )
    slack_token: SecretStr | None = Field(
        None, description="Slack bot token (`xoxb-...`); required by the slack alert sink."
    )
    slack_channel: str = Field("#data-alerts", description="Slack channel alerts are posted to.")
    weather_url: str = Field(
        "http://127.0.0.1:8704",
        description="OpenWeatherMap-compatible API base URL (real one: `https://api.openweathermap.org`).",
    )
    weather_history_url: str | None = Field(
        None,
        description="History API base URL (real one: `https://history.openweathermap.org`); "
        "unset = `weather_url`.",
    )
    weather_api_key: SecretStr | None = Field(None, description="OpenWeatherMap API key (`appid`).")
    weather_calls_per_minute: int = Field(
        60, ge=1, description="Calls per minute the weather API key allows (free plan: 60)."
    )
    spark_remote: str | None = Field(None, description="Spark Connect URL; unset = local Spark.")
    start_date: dt.date | None = Field(None, description="First day of the demo/sandbox window.")
    days: int = Field(92, ge=1, description="Length in days of the demo/sandbox window.")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: Any, env_settings: Any, **_: Any
    ) -> tuple[Any, ...]:
        """Init kwargs, then the environment, then `<repo root>/.env` (found at call time)."""
        dotenv = DotEnvSettingsSource(settings_cls, env_file=find_repo_root() / ".env")
        return init_settings, env_settings, dotenv

    @field_validator(
        "warehouse_url",
        "s3_endpoint_url",
        "spark_remote",
        "slack_token",
        "weather_api_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("data_dir")
    @classmethod
    def _anchor_data_dir(cls, value: Path) -> Path:
        return value if value.is_absolute() else find_repo_root() / value

    @model_validator(mode="after")
    def _prod_needs_warehouse(self) -> FernwaySettings:
        if self.env == "prod" and not self.warehouse_url:
            raise ValueError(f"{ENV_PREFIX}WAREHOUSE_URL is required when {ENV_PREFIX}ENV=prod")
        return self

    @property
    def resolved_warehouse_url(self) -> str:
        """The configured warehouse URL, or the DuckDB file under `data_dir`."""
        return self.warehouse_url or f"duckdb://{self.data_dir.resolve() / 'warehouse.duckdb'}"

    def window(self) -> tuple[dt.date, dt.date]:
        """The demo window as (start, end), end exclusive; start defaults to today UTC - days."""
        today = dt.datetime.now(dt.UTC).date()
        start = self.start_date or today - dt.timedelta(days=self.days)
        return start, start + dt.timedelta(days=self.days)


def _one_line(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        loc = ".".join(str(part) for part in error["loc"])
        problems.append(f"{ENV_PREFIX}{loc.upper()}: {message}" if loc else message)
    return "invalid Fernway settings: " + "; ".join(problems)


def settings_table() -> list[tuple[str, str, str]]:
    """(env var, default, description) for every setting, in declaration order, for docs."""
    rows = []
    for name, info in FernwaySettings.model_fields.items():
        default = (
            info.default.get_secret_value() if isinstance(info.default, SecretStr) else info.default
        )
        shown = _DOC_DEFAULTS.get(name, "" if default is None else str(default))
        rows.append((f"{ENV_PREFIX}{name.upper()}", shown, info.description or ""))
    return rows


def settings_markdown() -> str:
    """The settings as a Markdown table (the README's env-var table is checked against it)."""
    lines = ["| Variable | Default | Description |", "| --- | --- | --- |"]
    lines += [
        f"| `{var}` | {f'`{d}`' if d else ''} | {text} |" for var, d, text in settings_table()
    ]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> FernwaySettings:
    """The process-wide settings, read on first call (never at import)."""
    return FernwaySettings()


def reset_settings() -> None:
    """Forget the cached settings so the next `get_settings()` reads the environment again."""
    get_settings.cache_clear()
