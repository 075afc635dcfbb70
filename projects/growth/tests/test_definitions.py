"""The location loads, and a bad GitHub setting stops it with one line."""

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.settings import SettingsError, get_settings
from fernway_devtools.locations import load_location


def test_definitions_load_and_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"github/repositories", "github/stargazers", "github/releases"} <= keys


def test_a_bad_github_setting_stops_the_load_with_one_line(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings()
    monkeypatch.setenv("FERNWAY_GITHUB_URL", "api.github.com")
    with pytest.raises(SettingsError) as info:
        load_location("fernway_growth.definitions")
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_GITHUB_URL: got 'api.github.com', "
        "use an http(s)://<host> URL"
    )
