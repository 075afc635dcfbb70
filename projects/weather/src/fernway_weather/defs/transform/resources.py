"""dbt CLI resource for the weather project; the target follows the warehouse dialect."""

import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from fernway_weather.defs.transform.assets import weather_project


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the dbt CLI of this location's environment to the weather project."""
    sibling = Path(sys.executable).with_name("dbt")
    dbt = str(sibling) if sibling.exists() else shutil.which("dbt") or "dbt"
    return dg.Definitions(
        resources={"dbt": DbtCliResource(project_dir=weather_project, dbt_executable=dbt)}
    )
