"""dbt CLI resource for the analytics project; the target follows the warehouse dialect."""

import dagster as dg

from fernway_analytics.defs.transform.assets import analytics_project
from fernway_core.dbt import dbt_cli_resource


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI of this location's environment to the analytics project."""
    return dg.Definitions(resources={"dbt": dbt_cli_resource(analytics_project)})
