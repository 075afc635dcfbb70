"""A delivery city the weather cannot be fetched for is rejected, and the check says so."""

import dagster as dg
import pyarrow as pa
import pytest

from fernway_core.warehouse import Replacement
from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import failed_check

LOCATIONS = dg.AssetKey(["weather", "all_locations"])
CITIES = [
    {"city_id": "lon", "name": "London", "country": "GB", "latitude": 51.5072,
     "longitude": -0.1276, "timezone": "Europe/London"},
    {"city_id": "dub", "name": "Dublin", "country": "IE", "latitude": None,
     "longitude": -6.2603, "timezone": "Europe/Dublin"},
]  # fmt: skip


@pytest.fixture
def defs(platform_env) -> dg.Definitions:
    """The weather location, bound to this test's warehouse."""
    return load_location("fernway_weather.definitions")


@pytest.mark.fails_check("weather/all_locations", "no_rejected_records")
def test_a_city_without_coordinates_fails_the_check_as_a_warning(defs, instance, warehouse):
    table = pa.Table.from_pylist(CITIES, schema=pa.schema([
        ("city_id", pa.string()), ("name", pa.string()), ("country", pa.string()),
        ("latitude", pa.float64()), ("longitude", pa.float64()), ("timezone", pa.string()),
    ]))  # fmt: skip
    warehouse.replace_many([Replacement("analytics.delivery_cities", table)])
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance, asset_selection=[LOCATIONS], raise_on_error=False
    )
    check = failed_check(result, "weather/all_locations", "no_rejected_records")
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rejected"].value == 1
    assert check.metadata["by_reason"].value == {"null_field": 1}
    # a warning: the good city still loaded
    assert result.success
    kept = warehouse.query_arrow("select city_id from weather.all_locations").to_pylist()
    assert kept == [{"city_id": "lon"}]
