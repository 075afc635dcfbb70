"""The dbt CLI resource of the couriers project; the target follows the warehouse dialect."""

import dagster as dg

from fernway_core.dbt import dbt_cli_resource
from fernway_couriers.defs.transform.assets import couriers_project


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI of this location's environment to the couriers dbt project."""
    return dg.Definitions(resources={"dbt_couriers": dbt_cli_resource(couriers_project)})
