"""Settings: defaults, environment and .env, prod validation, caching, docs table."""

from __future__ import annotations

import datetime as dt
import os
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
        "invalid Fernway settings: FERNWAY_WAREHOUSE_URL is required when FERNWAY_ENV=prod"
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
    modules = "settings, warehouse, http, alerts, partitions, slack, run_failure"
    code = f"from fernway_core import {modules}; print('ok')"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_settings_table_lists_every_field_once() -> None:
    names = [row[0] for row in settings_table()]
    assert names == [f"FERNWAY_{name.upper()}" for name in FernwaySettings.model_fields]
    assert all(description for _, _, description in settings_table())
    assert ("FERNWAY_DAYS", "92", "Length in days of the demo/sandbox window.") in settings_table()


def test_readme_env_table_matches_the_code() -> None:
    assert settings_markdown() in README.read_text()
