"""The two weather jobs of the reference pipeline: hourly actuals, daily forecasts."""

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from fernway_core.partitions import HOURLY
from fernway_weather.defs.locations.assets import LOCATIONS_KEY
from fernway_weather.defs.openweathermap.assets import ACTUAL_KEY, FORECAST_KEY
from fernway_weather.defs.transform.assets import weather_dbt_models


def _dbt(fact: str, other_fact: str) -> dg.AssetSelection:
    """A fact, what it is built from, and the dims (and seed) it is tested against.

    The other fact is excluded by name so that its relationship tests (which dbt's eager
    indirect selection would pick up through the dims) stay out of this job.
    """
    select = f"+{fact} +dim_datetime +dim_weather_condition"
    return build_dbt_asset_selection(
        [weather_dbt_models], dbt_select=select, dbt_exclude=other_fact
    )


actual_weather_job = dg.define_asset_job(
    "actual_weather_job",
    selection=dg.AssetSelection.assets(LOCATIONS_KEY, ACTUAL_KEY)
    | _dbt("fct_weather_actual", "fct_weather_forecast"),
    partitions_def=HOURLY,
    description="Observed weather of one hour (or a range) for every delivery city, then the "
    "datetime and condition dims and fct_weather_actual.",
    tags={"dagster/max_retries": "2"},
)

forecast_weather_job = dg.define_asset_job(
    "forecast_weather_job",
    selection=dg.AssetSelection.assets(LOCATIONS_KEY, FORECAST_KEY)
    | _dbt("fct_weather_forecast", "fct_weather_actual"),
    description="Today's 5 day forecast for every delivery city, then the dims and "
    "fct_weather_forecast.",
    tags={"dagster/max_retries": "2"},
)
