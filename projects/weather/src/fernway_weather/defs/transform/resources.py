"""dbt CLI resource for the weather project; the target follows the warehouse dialect."""

import dagster as dg

from fernway_core.dbt import dbt_cli_resource
from fernway_weather.defs.transform.assets import weather_project


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI of this location's environment to the weather project."""
    return dg.Definitions(resources={"dbt": dbt_cli_resource(weather_project)})
