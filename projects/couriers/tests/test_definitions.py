"""The location loads, and a bad courier-app setting stops it with one line."""

from pathlib import Path

import pytest

from fernway_core.settings import SettingsError, get_settings
from fernway_devtools.locations import load_location


def test_a_bad_couriers_setting_stops_the_load_with_one_line(
    platform_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings()
    monkeypatch.setenv("FERNWAY_COURIERS_URL", "couriers.example")
    with pytest.raises(SettingsError) as info:
        load_location("fernway_couriers.definitions")
    assert str(info.value) == (
        "invalid Fernway settings: FERNWAY_COURIERS_URL: got 'couriers.example', "
        "use an http(s)://<host> URL"
    )
