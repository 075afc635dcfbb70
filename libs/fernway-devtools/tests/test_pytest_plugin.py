"""The shared fixtures keep every suite on its own scratch state."""

import os
from pathlib import Path

import pytest

from fernway_core.settings import FernwaySettings
from fernway_devtools.pytest_plugin import in_ci


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False), ("", False)],
)
def test_only_a_true_ci_value_counts_as_ci(
    value: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_a_developers_env_file_is_not_read_by_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dg.toml").write_text('directory_type = "workspace"\n')
    (tmp_path / ".env").write_text("FERNWAY_DAYS=3\nFERNWAY_ALERT_SINK=slack\n")
    monkeypatch.chdir(tmp_path)
    for name in ("FERNWAY_DAYS", "FERNWAY_ALERT_SINK"):
        monkeypatch.delenv(name, raising=False)  # so only the .env could set them
    assert os.environ["FERNWAY_ENV_FILE"] == ""
    settings = FernwaySettings()
    assert (settings.days, settings.alert_sink) == (92, "log")  # the defaults, not the .env's


def test_runtime_state_goes_to_a_scratch_dir_outside_the_repo() -> None:
    repo = Path(__file__).resolve().parents[3]
    for var in ("FERNWAY_DATA_DIR", "DAGSTER_HOME"):
        assert not Path(os.environ[var]).resolve().is_relative_to(repo), var
