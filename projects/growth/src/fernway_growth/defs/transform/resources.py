"""dbt CLI resources, one per dbt project; the target follows the warehouse dialect."""

import dagster as dg

from fernway_core.dbt import dbt_cli_resource
from fernway_growth.defs.transform.assets import github_staging_project, growth_marts_project


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI of this location's environment to each of its two projects."""
    return dg.Definitions(
        resources={
            "dbt_github_staging": dbt_cli_resource(github_staging_project),
            "dbt_growth_marts": dbt_cli_resource(growth_marts_project),
        }
    )
