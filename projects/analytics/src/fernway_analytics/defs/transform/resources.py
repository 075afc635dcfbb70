"""dbt CLI resource for the analytics project; the target follows the warehouse dialect."""

import dagster as dg
from dagster_dbt import DbtCliResource

from fernway_analytics.defs.transform.assets import analytics_project


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI to the analytics project."""
    return dg.Definitions(resources={"dbt": DbtCliResource(project_dir=analytics_project)})
