"""Settings: defaults, environment and .env, validation of every value, caching, docs table."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fernway_core.settings import (
    FernwaySettings,
    SettingsError,
    find_repo_root,
    get_settings,
    reset_settings,
    settings_markdown,
    settings_table,
    validate_settings,
)

README = Path(__file__).resolve().parents[3] / "README.md"


def test_defaults_point_at_repo_root_data_dir(repo: Path) -> None:
    settings = FernwaySettings()
    assert settings.env == "local"
    assert settings.data_dir == repo / "data"
    assert settings.resolved_warehouse_url == f"duckdb://{repo / 'data' / 'warehouse.duckdb'}"
    assert settings.marketplace_token.get_secret_value() == "sandbox-token"
    assert settings.days == 92


def test_repo_root_is_first_parent_with_dg_toml_else_start(repo: Path, tmp_path: Path) -> None:
    assert find_repo_root() == repo
    assert find_repo_root(tmp_path) == tmp_path.resolve()


def test_environment_overrides_dotenv_and_dotenv_overrides_defaults(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".env").write_text("FERNWAY_DAYS=10\nFERNWAY_AWS_REGION=eu-west-1\nOTHER=x\n")
    monkeypatch.setenv("FERNWAY_DAYS", "7")
    settings = FernwaySettings()
    assert settings.days == 7
    assert settings.aws_region == "eu-west-1"


def test_relative_data_dir_is_anchored_at_repo_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_DATA_DIR", "runtime")
    assert FernwaySettings().data_dir == repo / "runtime"


def test_window_uses_start_date_and_days(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERNWAY_START_DATE", "2026-08-01")
    assert FernwaySettings().window() == (dt.date(2026, 8, 1), dt.date(2026, 11, 1))


def test_window_defaults_to_days_before_today_utc(repo: Path) -> None:
    start, end = FernwaySettings(days=5).window()
    assert end == dt.datetime.now(dt.UTC).date()
    assert end - start == dt.timedelta(days=5)


def test_empty_optional_url_means_unset(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERNWAY_S3_ENDPOINT_URL", "")
    assert FernwaySettings().s3_endpoint_url is None


def test_slack_and_weather_default_to_real_slack_and_the_sandbox_without_secrets(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_SLACK_TOKEN", "")
    settings = FernwaySettings()
    assert settings.slack_base_url == "https://slack.com/api/"
    assert settings.slack_channel == "#data-alerts"
    assert settings.slack_token is None
    assert settings.weather_url == "http://127.0.0.1:8704"
    assert settings.weather_api_key is None
    monkeypatch.setenv("FERNWAY_WEATHER_API_KEY", "k")
    monkeypatch.setenv("FERNWAY_SLACK_TOKEN", "xoxb-1")
    settings = FernwaySettings()
    assert settings.weather_api_key is not None
    assert settings.weather_api_key.get_secret_value() == "k"
    assert "xoxb-1" not in repr(settings)


def test_prod_without_warehouse_url_is_a_one_line_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_ENV", "prod")
    with pytest.raises(SettingsError) as info:
        get_settings()
    message = str(info.value)
    assert "\n" not in message
    assert message == (
        "invalid Fernway settings: FERNWAY_WAREHOUSE_URL: unset but required when FERNWAY_ENV=prod,"
        " use duckdb:///<abs path> or postgresql://<user>@<host>/<db>"
    )


def test_prod_with_warehouse_url_is_valid(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERNWAY_ENV", "prod")
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "postgresql://u@db/warehouse")
    assert get_settings().resolved_warehouse_url == "postgresql://u@db/warehouse"


def test_invalid_values_name_their_variables_on_one_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_ENV", "staging")
    monkeypatch.setenv("FERNWAY_DAYS", "0")
    with pytest.raises(SettingsError, match=r"FERNWAY_ENV: .*; FERNWAY_DAYS: ") as info:
        FernwaySettings()
    assert "\n" not in str(info.value)


def test_get_settings_is_cached_until_reset(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("FERNWAY_DAYS", "3")
    assert get_settings() is first
    reset_settings()
    assert get_settings().days == 3


def test_importing_the_package_reads_no_environment(tmp_path: Path) -> None:
    env = {**os.environ, "FERNWAY_ENV": "not-a-valid-env"}
    modules = "settings, warehouse, http, alerts, partitions, slack, sinks, run_failure"
    code = f"from fernway_core import {modules}; print('ok')"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_settings_table_lists_every_field_once() -> None:
    names = [row[0] for row in settings_table()]
    assert names == [f"FERNWAY_{name.upper()}" for name in FernwaySettings.model_fields]
    assert all(allowed and description for _, _, allowed, description in settings_table())
    assert (
        "FERNWAY_DAYS",
        "92",
        "a whole number >= 1",
        "Length in days of the demo/sandbox window.",
    ) in settings_table()


def test_readme_env_table_matches_the_code() -> None:
    assert settings_markdown() in README.read_text()


WAREHOUSE = "use duckdb:///<abs path> or postgresql://<user>@<host>/<db>"
HTTP = "use an http(s)://<host> URL"
WHOLE = "use a whole number >= 1"
# (variable without prefix, bad value, what the error says after `FERNWAY_<variable>: `)
BAD = [
    ("ENV", "production", "got 'production', use local, branch or prod"),
    ("ENV", "PROD", "got 'PROD', use local, branch or prod"),
    (
        "DATA_DIR",
        "",
        "got '', use a directory that exists or can be created (relative: under the repo root)",
    ),
    ("WAREHOUSE_URL", "mysql://u@h/db", f"got 'mysql://u@h/db', {WAREHOUSE}"),
    ("WAREHOUSE_URL", "sqlite:///w.db", f"got 'sqlite:///w.db', {WAREHOUSE}"),
    (
        "WAREHOUSE_URL",
        "duckdb://warehouse.duckdb",
        f"got 'duckdb://warehouse.duckdb' (the DuckDB path is not absolute), {WAREHOUSE}",
    ),
    (
        "WAREHOUSE_URL",
        "postgresql://u:hunter2@db:54x/w",
        f"got 'postgresql://u:***@db:54x/w' (the port is not a number in 0-65535), {WAREHOUSE}",
    ),
    ("WAREHOUSE_URL", "postgresql://", f"got 'postgresql://', {WAREHOUSE}"),
    ("MARKETPLACE_URL", "127.0.0.1:8701", f"got '127.0.0.1:8701', {HTTP}"),
    ("MARKETPLACE_URL", "ftp://files.example.com", f"got 'ftp://files.example.com', {HTTP}"),
    ("MARKETPLACE_URL", "https://", f"got 'https://', {HTTP}"),
    ("MARKETPLACE_URL", "http://h /v1", f"got 'http://h /v1' (it contains whitespace), {HTTP}"),
    ("MARKETPLACE_TOKEN", "", "got an empty value, use a token without spaces"),
    ("MARKETPLACE_TOKEN", "two words", "got a value (not shown), use a token without spaces"),
    ("S3_ENDPOINT_URL", "s3://bucket", f"got 's3://bucket', {HTTP}, or empty for AWS itself"),
    ("S3_EXPORTS_BUCKET", "Exports", "got 'Exports', use an S3 bucket name: 3-63 of a-z 0-9 . -"),
    ("S3_EXPORTS_BUCKET", "ab", "got 'ab', use an S3 bucket name: 3-63 of a-z 0-9 . -"),
    ("S3_EXPORTS_BUCKET", "a..b", "got 'a..b', use an S3 bucket name: 3-63 of a-z 0-9 . -"),
    (
        "S3_TIMESHEETS_BUCKET",
        "Time_sheets",
        "got 'Time_sheets', use an S3 bucket name: 3-63 of a-z 0-9 . -",
    ),
    ("AWS_REGION", "Frankfurt", "got 'Frankfurt', use an AWS region code such as eu-west-1"),
    ("AWS_REGION", "eu-west", "got 'eu-west', use an AWS region code such as eu-west-1"),
    ("ALERT_SINK", "email", "got 'email', use log or slack"),
    ("SLACK_BASE_URL", "slack.com/api/", f"got 'slack.com/api/', {HTTP}"),
    ("SLACK_TOKEN", "xoxp-1234", "got a value (not shown), use a Slack bot token xoxb-..."),
    (
        "SLACK_CHANNEL",
        "data-alerts",
        "got 'data-alerts', use #<channel name> or a channel ID such as C0123ABCD",
    ),
    (
        "SLACK_CHANNEL",
        "#data alerts",
        "got '#data alerts', use #<channel name> or a channel ID such as C0123ABCD",
    ),
    ("WEATHER_URL", "api.openweathermap.org", f"got 'api.openweathermap.org', {HTTP}"),
    ("WEATHER_HISTORY_URL", "sc://h:15002", f"got 'sc://h:15002', {HTTP}, or empty"),
    ("WEATHER_API_KEY", "a key", "got a value (not shown), use a key without spaces"),
    ("WEATHER_CALLS_PER_MINUTE", "abc", f"got 'abc', {WHOLE}"),
    ("WEATHER_CALLS_PER_MINUTE", "0", f"got '0', {WHOLE}"),
    ("WEATHER_CALLS_PER_MINUTE", "1.5", f"got '1.5', {WHOLE}"),
    ("GITHUB_URL", "api.github.com", f"got 'api.github.com', {HTTP}"),
    ("GITHUB_TOKEN", "ghp two", "got a value (not shown), use a token without spaces"),
    (
        "GITHUB_REPOS",
        "fernway-python",
        "got 'fernway-python', use comma-separated <owner>/<repo> names (at least one)",
    ),
    (
        "GITHUB_REPOS",
        "fernway/a,,fernway/b",
        "got 'fernway/a,,fernway/b', use comma-separated <owner>/<repo> names (at least one)",
    ),
    ("GITHUB_REPOS", "", "got '', use comma-separated <owner>/<repo> names (at least one)"),
    ("COURIERS_URL", "couriers.example", f"got 'couriers.example', {HTTP}"),
    ("COURIERS_TOKEN", "a token", "got a value (not shown), use a token without spaces"),
    ("DATAHUB_GMS_URL", "datahub:8080", f"got 'datahub:8080', {HTTP}"),
    ("DATAHUB_TOKEN", "", "got an empty value, use a token without spaces"),
    ("DAGSTER_URL", "localhost:3000", f"got 'localhost:3000', {HTTP}"),
    (
        "SPARK_REMOTE",
        "spark://h:7077",
        "got 'spark://h:7077', use sc://<host>:<port>, or empty for local Spark",
    ),
    ("SPARK_REMOTE", "sc://", "got 'sc://', use sc://<host>:<port>, or empty for local Spark"),
    ("EXECUTOR", "kubernetes", "got 'kubernetes', use in_process, multiprocess or celery"),
    ("EXECUTOR", "Celery", "got 'Celery', use in_process, multiprocess or celery"),
    (
        "CELERY_BROKER_URL",
        "127.0.0.1:5672",
        "got '127.0.0.1:5672', use an amqp://, pyamqp:// or redis:// URL with a host",
    ),
    (
        "CELERY_BROKER_URL",
        "http://rabbit:5672",
        "got 'http://rabbit:5672', use an amqp://, pyamqp:// or redis:// URL with a host",
    ),
    ("CELERY_BACKEND_URL", "rpc", "got 'rpc', use rpc://, or a redis://<host> URL"),
    (
        "CELERY_BACKEND_URL",
        "db+postgresql://h/db",
        "got 'db+postgresql://h/db', use rpc://, or a redis://<host> URL",
    ),
    ("CELERY_QUEUE", "", "got '', use a queue name: 1-100 of A-Z a-z 0-9 _ . -"),
    ("CELERY_QUEUE", "my queue", "got 'my queue', use a queue name: 1-100 of A-Z a-z 0-9 _ . -"),
    ("START_DATE", "01/08/2026", "got '01/08/2026', use a date YYYY-MM-DD, or empty"),
    ("START_DATE", "2026-02-30", "got '2026-02-30', use a date YYYY-MM-DD, or empty"),
    ("DAYS", "0", f"got '0', {WHOLE}"),
    ("DAYS", "many", f"got 'many', {WHOLE}"),
]


@pytest.mark.parametrize(
    ("name", "value", "problem"), BAD, ids=[f"{name}={value!r}" for name, value, _ in BAD]
)
def test_a_bad_value_is_one_line_naming_the_variable_and_what_it_allows(
    repo: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(f"FERNWAY_{name}", value)
    with pytest.raises(SettingsError) as info:
        validate_settings()
    assert str(info.value) == f"invalid Fernway settings: FERNWAY_{name}: {problem}"


def test_every_setting_has_bad_values_tested() -> None:
    assert {name for name, _, _ in BAD} == {n.upper() for n in FernwaySettings.model_fields}


# (variable without prefix, good value, the setting's value)
GOOD = [
    ("ENV", "branch", "branch"),
    ("ENV", "prod", "prod"),  # with the warehouse URL every GOOD case sets
    ("WAREHOUSE_URL", "postgres://u@db/w", "postgres://u@db/w"),
    ("WAREHOUSE_URL", "postgresql:///warehouse", "postgresql:///warehouse"),
    ("MARKETPLACE_URL", "https://api.example.com/v2", "https://api.example.com/v2"),
    ("S3_ENDPOINT_URL", "", None),
    ("S3_ENDPOINT_URL", "https://s3.eu-west-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com"),
    ("S3_EXPORTS_BUCKET", "fernway.exports-2026", "fernway.exports-2026"),
    ("AWS_REGION", "ap-southeast-2", "ap-southeast-2"),
    ("AWS_REGION", "us-gov-west-1", "us-gov-west-1"),
    ("SLACK_BASE_URL", "http://127.0.0.1:9000/api", "http://127.0.0.1:9000/api"),
    ("SLACK_CHANNEL", "C0123ABCD", "C0123ABCD"),
    ("SLACK_CHANNEL", "#data_alerts-2", "#data_alerts-2"),
    ("WEATHER_URL", "https://api.openweathermap.org", "https://api.openweathermap.org"),
    ("WEATHER_HISTORY_URL", "", None),
    ("WEATHER_CALLS_PER_MINUTE", "3000", 3000),
    ("SPARK_REMOTE", "sc://spark.internal:15002", "sc://spark.internal:15002"),
    ("SPARK_REMOTE", "sc://h:15002/;token=abc", "sc://h:15002/;token=abc"),
    ("SPARK_REMOTE", "", None),
    ("EXECUTOR", "celery", "celery"),
    ("EXECUTOR", "in_process", "in_process"),
    ("CELERY_BROKER_URL", "amqps://rabbit.internal:5671/prod", "amqps://rabbit.internal:5671/prod"),
    ("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("CELERY_BACKEND_URL", "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/1"),
    ("CELERY_QUEUE", "analytics.steps-2", "analytics.steps-2"),
    ("START_DATE", "2026-08-01", dt.date(2026, 8, 1)),
    ("START_DATE", "", None),
    ("DAYS", "1", 1),
]


@pytest.mark.parametrize(
    ("name", "value", "expected"), GOOD, ids=[f"{name}={value!r}" for name, value, _ in GOOD]
)
def test_a_good_value_is_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: object
) -> None:
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "postgresql://u:p@db.internal:5432/warehouse")
    monkeypatch.setenv(f"FERNWAY_{name}", value)
    assert getattr(validate_settings(), name.lower()) == expected


def test_secrets_of_the_right_shape_are_read_and_never_shown(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_ALERT_SINK", "slack")
    monkeypatch.setenv("FERNWAY_SLACK_TOKEN", "xoxb-123-456-abcDEF")
    monkeypatch.setenv("FERNWAY_MARKETPLACE_TOKEN", "eyJhbGciOi.J9.x_y-z")
    monkeypatch.setenv("FERNWAY_WEATHER_API_KEY", "0123456789abcdef0123456789abcdef")
    settings = validate_settings()
    assert settings.slack_token is not None
    assert settings.slack_token.get_secret_value() == "xoxb-123-456-abcDEF"
    assert settings.marketplace_token.get_secret_value() == "eyJhbGciOi.J9.x_y-z"
    assert "abcDEF" not in repr(settings)


def test_the_slack_sink_needs_a_slack_token(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERNWAY_ALERT_SINK", "slack")
    with pytest.raises(SettingsError) as info:
        validate_settings()
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_SLACK_TOKEN: unset but required when "
        "FERNWAY_ALERT_SINK=slack, use a Slack bot token xoxb-..."
    )


def test_paths_must_be_directories_that_exist_or_can_be_created(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = repo / "f"
    blocker.write_text("a file, not a directory")
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(blocker / "data"))
    with pytest.raises(
        SettingsError, match=r"^invalid Fernway settings: FERNWAY_DATA_DIR: "
    ) as info:
        validate_settings()
    assert f"({blocker} is not a directory), use a directory that exists" in str(info.value)
    monkeypatch.setenv("FERNWAY_DATA_DIR", "runtime/new")  # created later, under the repo root
    assert validate_settings().data_dir == repo / "runtime" / "new"
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", f"duckdb://{blocker}/warehouse.duckdb")
    with pytest.raises(SettingsError, match=r"^invalid Fernway settings: FERNWAY_WAREHOUSE_URL: "):
        validate_settings()
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", f"duckdb://{repo}")
    with pytest.raises(SettingsError, match=r" is a directory\), use duckdb:///"):
        validate_settings()
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", f"duckdb://{repo}/new/w.duckdb")
    assert validate_settings().resolved_warehouse_url == f"duckdb://{repo}/new/w.duckdb"


def test_a_data_dir_under_a_read_only_directory_is_rejected(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # root may write into any mode-0500 directory, but not into a process's /proc entry
    locked = Path("/proc/1") if os.geteuid() == 0 else repo / "locked"
    locked.mkdir(mode=0o500, exist_ok=True)
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(locked / "data"))
    with pytest.raises(SettingsError, match=re.escape(f"({locked} is not writable)")):
        validate_settings()


def test_a_bad_value_in_the_dotenv_file_is_named_too(repo: Path) -> None:
    (repo / ".env").write_text("FERNWAY_ENV=production\n")
    with pytest.raises(
        SettingsError, match=r"^invalid Fernway settings: FERNWAY_ENV: got 'production'"
    ):
        validate_settings()


def test_validate_settings_rereads_what_get_settings_has_cached(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings()
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "mysql://u@h/db")
    assert get_settings().warehouse_url is None  # the cache hides the change...
    with pytest.raises(SettingsError, match="FERNWAY_WAREHOUSE_URL: got 'mysql://u@h/db'"):
        validate_settings()  # ...validate_settings does not
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", "postgresql://u@db/w")
    assert validate_settings() is get_settings()
    assert get_settings().warehouse_url == "postgresql://u@db/w"
