"""The delivery cities weather is fetched for, read from the analytics location's mart."""

import dagster as dg

from fernway_core.clock import Clock
from fernway_core.marts import DELIVERY_CITIES
from fernway_core.rejects import (
    REJECTS_TABLE,
    build_rejects_check,
    fill_partition,
    stamp,
)
from fernway_core.validation import validate_records
from fernway_core.warehouse import Replacement, Warehouse
from fernway_weather.defs.openweathermap.contracts import LOCATIONS

LOCATIONS_KEY = dg.AssetKey(["weather", "all_locations"])
LOCATIONS_TABLE = "weather.all_locations"

delivery_cities = DELIVERY_CITIES.spec()

CITIES_SQL = """
select city_id, name, country, latitude, longitude, timezone
from analytics.delivery_cities
order by city_id
"""


@dg.asset(
    key=LOCATIONS_KEY,
    deps=[delivery_cities],
    group_name="locations",
    kinds={"python", "duckdb"},
    owners=["team:weather"],
)
def all_locations(warehouse: Warehouse, clock: Clock) -> dg.MaterializeResult:
    """Every delivery city with its coordinates, one row per city (weather is fetched for each)."""
    cities = warehouse.query_arrow(CITIES_SQL).to_pylist()
    result = validate_records(cities, LOCATIONS, source="analytics")
    now = clock.now().replace(tzinfo=None)
    warehouse.replace_many(
        [
            Replacement(LOCATIONS_TABLE, result.valid),
            Replacement(
                REJECTS_TABLE,
                fill_partition(stamp(result.rejects, now), "snapshot"),
                "source = ? and entity = ?",
                ["analytics", LOCATIONS.entity],
            ),
        ]
    )
    return dg.MaterializeResult(
        metadata={**warehouse.table_metadata(LOCATIONS_TABLE), **result.as_metadata()}
    )


def read_locations(warehouse: Warehouse) -> list[dict]:
    """The cities of `weather.all_locations` (city_id, latitude, longitude), by id."""
    return warehouse.query_arrow(
        "select city_id, latitude, longitude from weather.all_locations order by city_id"
    ).to_pylist()


location_rejects = build_rejects_check(LOCATIONS_KEY, "analytics", LOCATIONS.entity)
