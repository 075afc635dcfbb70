"""no_rejected_records of the raw weather tables fails (a warning) once its entity has rejects."""

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import add_rejects, evaluate_checks, failed_check

CHECK = "no_rejected_records"
SOURCE = "openweathermap"


@pytest.fixture
def defs(platform_env) -> dg.Definitions:
    """The weather location, bound to this test's warehouse."""
    return load_location("fernway_weather.definitions")


@pytest.mark.parametrize(("asset", "entity", "other"), [
    pytest.param(
        "raw/weather_actual", "weather_actual", "weather_forecast",
        marks=pytest.mark.fails_check("raw/weather_actual", CHECK),
    ),
    pytest.param(
        "raw/weather_forecast", "weather_forecast", "weather_actual",
        marks=pytest.mark.fails_check("raw/weather_forecast", CHECK),
    ),
])  # fmt: skip
def test_rejects_of_its_own_entity_fail_the_check_and_others_do_not(
    asset, entity, other, defs, instance, warehouse
):
    add_rejects(warehouse, SOURCE, other, ["wrong_type"])
    add_rejects(warehouse, "analytics", entity, ["null_key"])  # same entity, other source
    [clean] = evaluate_checks(defs, instance, [(asset, CHECK)]).get_asset_check_evaluations()
    assert clean.passed, f"{asset} counted rejects of another entity: {clean.metadata}"

    add_rejects(warehouse, SOURCE, entity, ["negative_amount", "negative_amount", "null_field"])
    check = failed_check(evaluate_checks(defs, instance, [(asset, CHECK)]), asset, CHECK)
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert not check.blocking
    assert check.metadata["rejected"].value == 3
    assert check.metadata["by_reason"].value == {"negative_amount": 2, "null_field": 1}
