"""Typed platform settings from `FERNWAY_*` environment variables and the repo-root `.env`.

Every value is checked when read; a bad one raises `SettingsError`, ONE line naming each bad
variable and what it allows. Each location's `definitions.py` calls `validate_settings()` first.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from fernway_core import settings_checks as checks

ENV_PREFIX = "FERNWAY_"
# Which dotenv file settings read (default: <repo root>/.env; empty: none). Not a setting itself.
ENV_FILE_VAR = "FERNWAY_ENV_FILE"
# Defaults that depend on where the repo is; shown in docs instead of a machine's path.
_DOC_DEFAULTS = {
    "data_dir": "<repo root>/data",
    "warehouse_url": "duckdb:///<data_dir>/warehouse.duckdb",
    "start_date": "today (UTC) - days",
    "executor": "by warehouse",
}
_HTTP = "an `http(s)://<host>` URL"
# What each setting allows: the README table's column and the end of every settings error.
ALLOWED = {
    "env": "`local`, `branch` or `prod`",
    "data_dir": "a directory that exists or can be created (relative: under the repo root)",
    "warehouse_url": "`duckdb:///<abs path>` or `postgresql://<user>@<host>/<db>`",
    "marketplace_url": _HTTP,
    "marketplace_token": "a token without spaces",
    "s3_endpoint_url": f"{_HTTP}, or empty for AWS itself",
    "s3_exports_bucket": "an S3 bucket name: 3-63 of `a-z 0-9 . -`",
    "s3_timesheets_bucket": "an S3 bucket name: 3-63 of `a-z 0-9 . -`",
    "aws_region": "an AWS region code such as `eu-west-1`",
    "alert_sink": "`log` or `slack`",
    "slack_base_url": _HTTP,
    "slack_token": "a Slack bot token `xoxb-...`",
    "slack_channel": "`#<channel name>` or a channel ID such as `C0123ABCD`",
    "weather_url": _HTTP,
    "weather_history_url": f"{_HTTP}, or empty",
    "weather_api_key": "a key without spaces",
    "weather_calls_per_minute": "a whole number >= 1",
    "github_url": _HTTP,
    "github_token": "a token without spaces",
    "github_repos": "comma-separated `<owner>/<repo>` names (at least one)",
    "couriers_url": _HTTP,
    "couriers_token": "a token without spaces",
    "datahub_gms_url": _HTTP,
    "datahub_token": "a token without spaces",
    "dagster_url": _HTTP,
    "spark_remote": "`sc://<host>:<port>`, or empty for local Spark",
    "executor": "`in_process`, `multiprocess` or `celery`",
    "celery_broker_url": "an `amqp://`, `pyamqp://` or `redis://` URL with a host",
    "celery_backend_url": "`rpc://`, or a `redis://<host>` URL",
    "celery_queue": "a queue name: 1-100 of `A-Z a-z 0-9 _ . -`",
    "start_date": "a date `YYYY-MM-DD`, or empty",
    "days": "a whole number >= 1",
}

HttpUrl = Annotated[str, AfterValidator(checks.url("http", "https"))]
OptionalHttpUrl = Annotated[str | None, AfterValidator(checks.url("http", "https"))]
Token = Annotated[SecretStr, AfterValidator(checks.matches(checks.NO_SPACES))]


class SettingsError(ValueError):
    """Settings failed validation; the message is one line naming the variables."""


def find_repo_root(start: Path | None = None) -> Path:
    """The first directory at or above `start` (default: cwd) holding `dg.toml`, else `start`."""
    here = (start or Path.cwd()).resolve()
    return next((p for p in (here, *here.parents) if (p / "dg.toml").is_file()), here)


class FernwaySettings(BaseSettings):
    """Every setting the platform reads; one env var per field, prefixed `FERNWAY_`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    env: Literal["local", "branch", "prod"] = Field("local", description="Deployment environment.")
    data_dir: Path = Field(
        default_factory=lambda: find_repo_root() / "data",
        description="Runtime data directory (DuckDB file, alerts, sandbox truth).",
    )
    warehouse_url: Annotated[str | None, AfterValidator(checks.warehouse_url)] = Field(
        None, description="Warehouse database; unset = DuckDB under `data_dir`; required in prod."
    )
    marketplace_url: HttpUrl = Field(
        "http://127.0.0.1:8701", description="Marketplace API base URL."
    )
    marketplace_token: Token = Field(
        SecretStr("sandbox-token"), description="Bearer token for the marketplace API."
    )
    s3_endpoint_url: OptionalHttpUrl = Field("http://127.0.0.1:8702", description="S3 endpoint.")
    s3_exports_bucket: Annotated[str, AfterValidator(checks.matches(checks.S3_BUCKET))] = Field(
        "fernway-exports", description="Bucket of partner exports."
    )
    s3_timesheets_bucket: Annotated[str, AfterValidator(checks.matches(checks.S3_BUCKET))] = Field(
        "fernway-courier-timesheets",
        description="Bucket the courier agencies' timesheet files land in.",
    )
    aws_region: Annotated[str, AfterValidator(checks.matches(checks.AWS_REGION))] = Field(
        "us-east-1", description="AWS region of the exports bucket."
    )
    alert_sink: Literal["log", "slack"] = Field("log", description="Where alerts are sent.")
    slack_base_url: HttpUrl = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (the sandbox's is `<url>/api/`).",
    )
    slack_token: Annotated[
        SecretStr | None, AfterValidator(checks.matches(checks.SLACK_BOT_TOKEN))
    ] = Field(None, description="Slack bot token; required by the slack alert sink.")
    slack_channel: Annotated[str, AfterValidator(checks.matches(checks.SLACK_CHANNEL))] = Field(
        "#data-alerts", description="Slack channel alerts are posted to."
    )
    weather_url: HttpUrl = Field(
        "http://127.0.0.1:8704",
        description="OpenWeatherMap-compatible API base URL (real one: `https://api.openweathermap.org`).",
    )
    weather_history_url: OptionalHttpUrl = Field(
        None,
        description="History API base URL (real one: `https://history.openweathermap.org`); "
        "unset = `weather_url`.",
    )
    weather_api_key: Annotated[
        SecretStr | None, AfterValidator(checks.matches(checks.NO_SPACES))
    ] = Field(None, description="OpenWeatherMap API key (`appid`).")
    weather_calls_per_minute: int = Field(
        60, ge=1, description="Calls per minute the weather API key allows (free plan: 60)."
    )
    github_url: HttpUrl = Field(
        "http://127.0.0.1:8706",
        description="GitHub REST API base URL (real one: `https://api.github.com`).",
    )
    github_token: Token = Field(
        SecretStr("ghp_sandbox"), description="GitHub token (`Authorization: Bearer`)."
    )
    github_repos: Annotated[str, AfterValidator(checks.matches(checks.GITHUB_REPOS))] = Field(
        "fernway/fernway-python,fernway/fernway-js,fernway/fernway-go,fernway/fernway-courier-app",
        description="Repositories whose stars and releases the growth location loads.",
    )
    couriers_url: HttpUrl = Field("http://127.0.0.1:8707", description="Courier-app API base URL.")
    couriers_token: Token = Field(
        SecretStr("sandbox-couriers-token"), description="Bearer token for the courier-app API."
    )
    datahub_gms_url: HttpUrl = Field(
        "http://127.0.0.1:8708", description="DataHub GMS base URL the catalog emitter sends to."
    )
    datahub_token: Token = Field(
        SecretStr("sandbox-datahub-token"), description="DataHub personal access token (`Bearer`)."
    )
    dagster_url: HttpUrl = Field(
        "http://127.0.0.1:3000",
        description="Dagster webserver whose GraphQL the catalog reads the asset graph from.",
    )
    spark_remote: Annotated[str | None, AfterValidator(checks.url("sc"))] = Field(
        None, description="Spark Connect URL; unset = local Spark."
    )
    executor: Literal["in_process", "multiprocess", "celery"] | None = Field(
        None,
        description="How a run executes its steps: one process, a process per step, or Celery "
        "workers (`make workers`); by warehouse: `in_process` on DuckDB (its steps share one "
        "file), `multiprocess` on Postgres.",
    )
    celery_broker_url: Annotated[
        str, AfterValidator(checks.url("amqp", "amqps", "pyamqp", "redis", "rediss"))
    ] = Field(
        "pyamqp://guest@127.0.0.1:5672//",
        description="Celery broker the celery executor and the workers share.",
    )
    celery_backend_url: Annotated[str, AfterValidator(checks.celery_backend)] = Field(
        "rpc://", description="Celery result backend (`rpc://`: replies over the broker)."
    )
    celery_queue: Annotated[str, AfterValidator(checks.matches(checks.CELERY_QUEUE))] = Field(
        "dagster", description="Celery queue steps are sent to and workers listen on."
    )
    start_date: dt.date | None = Field(None, description="First day of the demo/sandbox window.")
    days: int = Field(92, ge=1, description="Length in days of the demo/sandbox window.")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init kwargs, then the environment, then `<repo root>/.env` (found at call time).

        `FERNWAY_ENV_FILE` names another file; set to empty it disables the file (the test
        suites do that, so a developer's `.env` never changes what a test sees).
        """
        env_file = os.environ.get(ENV_FILE_VAR)
        if env_file == "":
            return init_settings, env_settings
        path = Path(env_file) if env_file else find_repo_root() / ".env"
        return init_settings, env_settings, DotEnvSettingsSource(settings_cls, env_file=path)

    @field_validator(
        "warehouse_url",
        "s3_endpoint_url",
        "slack_token",
        "weather_history_url",
        "weather_api_key",
        "spark_remote",
        "start_date",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_is_not_empty(cls, value: Any) -> Any:
        if value == "":
            raise ValueError("")
        return value

    @field_validator("data_dir")
    @classmethod
    def _anchor_data_dir(cls, value: Path) -> Path:
        return checks.creatable_dir(value if value.is_absolute() else find_repo_root() / value)

    @model_validator(mode="after")
    def _required_by_other_settings(self) -> FernwaySettings:
        missing = []
        if self.env == "prod" and not self.warehouse_url:
            missing.append(_unset("warehouse_url", "FERNWAY_ENV=prod"))
        if self.alert_sink == "slack" and self.slack_token is None:
            missing.append(_unset("slack_token", "FERNWAY_ALERT_SINK=slack"))
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @property
    def resolved_warehouse_url(self) -> str:
        """The configured warehouse URL, or the DuckDB file under `data_dir`."""
        return self.warehouse_url or f"duckdb://{self.data_dir.resolve() / 'warehouse.duckdb'}"

    @property
    def resolved_executor(self) -> str:
        """`executor`, or the default for the warehouse: steps that share one DuckDB file run in
        the run's own process (a process per step would load the location again for each, and
        only one of them can write at a time); on Postgres each step gets its own process."""
        if self.executor:
            return self.executor
        return "in_process" if self.resolved_warehouse_url.startswith("duckdb") else "multiprocess"

    @property
    def github_repo_list(self) -> list[str]:
        """`github_repos` as a list of `owner/name`, in the order given."""
        return [name.strip() for name in self.github_repos.split(",") if name.strip()]

    def window(self) -> tuple[dt.date, dt.date]:
        """The demo window as (start, end), end exclusive; start defaults to today UTC - days."""
        today = dt.datetime.now(dt.UTC).date()
        start = self.start_date or today - dt.timedelta(days=self.days)
        return start, start + dt.timedelta(days=self.days)


def _var(name: str) -> str:
    return f"{ENV_PREFIX}{name.upper()}"


def _use(name: str) -> str:
    return "use " + ALLOWED[name].replace("`", "")


def _unset(name: str, when: str) -> str:
    return f"{_var(name)}: unset but required when {when}, {_use(name)}"


def _one_line(exc: ValidationError) -> str:
    """`invalid Fernway settings: VAR: got 'value' (why), use <allowed>; VAR2: ...`."""
    secrets = {
        name
        for name, info in FernwaySettings.model_fields.items()
        if SecretStr in (info.annotation, *get_args(info.annotation))
    }
    problems: dict[str, str] = {}
    for error in exc.errors():
        why = error["msg"].removeprefix("Value error, ") if error["type"] == "value_error" else ""
        if not error["loc"]:  # from the model validator: already names its variables
            problems[why] = why
            continue
        name = str(error["loc"][0])
        value = checks.shown(error["input"], secret=name in secrets)
        got = f"got {value} ({why})" if why else f"got {value}"
        problems.setdefault(name, f"{_var(name)}: {got}, {_use(name)}")
    return " ".join(("invalid Fernway settings: " + "; ".join(problems.values())).split())


def settings_table() -> list[tuple[str, str, str, str]]:
    """(env var, default, allowed, description) for every setting, in declaration order."""
    rows = []
    for name, info in FernwaySettings.model_fields.items():
        default = (
            info.default.get_secret_value() if isinstance(info.default, SecretStr) else info.default
        )
        shown = _DOC_DEFAULTS.get(name, "" if default is None else str(default))
        rows.append((_var(name), shown, ALLOWED[name], info.description or ""))
    return rows


def settings_markdown() -> str:
    """The settings as a Markdown table (the README's env-var table is checked against it)."""
    lines = ["| Variable | Default | Allowed | Description |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{var}` | {f'`{d}`' if d else ''} | {allowed} | {text} |"
        for var, d, allowed, text in settings_table()
    ]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> FernwaySettings:
    """The process-wide settings, read and checked on first call (never at import)."""
    return FernwaySettings()


def reset_settings() -> None:
    """Forget the cached settings so the next `get_settings()` reads the environment again."""
    get_settings.cache_clear()


def validate_settings() -> FernwaySettings:
    """Read every setting afresh and check it: the first call in each location's definitions.

    Raises `SettingsError` (one line naming each bad variable and what it allows). Re-reading
    matters: a process that loads a location again must not keep settings cached by an earlier
    load. The rest of the load then sees exactly these settings through `get_settings()`.
    """
    reset_settings()
    return get_settings()
