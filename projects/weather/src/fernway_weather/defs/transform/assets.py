"""The `weather` dbt project (staging -> dims and facts) as Dagster assets."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from fernway_core.dbt import dbt_build, fernway_dbt_project
from fernway_core.warehouse import Warehouse
from fernway_weather.defs.transform.translator import WeatherDbtTranslator

DBT_PROJECT_DIR = Path(__file__).resolve().parents[4] / "dbt" / "weather"
# Profile from libs/dbt-shared; the manifest is prepared by `make setup` (dbt deps + parse, only
# when the project changed), so loading this module never shells out to dbt.
weather_project = fernway_dbt_project(DBT_PROJECT_DIR)


@dbt_assets(
    manifest=weather_project.manifest_path,
    project=weather_project,
    dagster_dbt_translator=WeatherDbtTranslator(),
)
def weather_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build the selected dbt models and seeds and run their tests (reported as asset checks)."""
    yield from dbt_build(context, dbt, warehouse, ["build", "--indirect-selection", "buildable"])
