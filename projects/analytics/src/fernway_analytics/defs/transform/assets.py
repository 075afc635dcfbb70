"""The `analytics` dbt project (staging -> intermediate -> marts) as Dagster assets."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from fernway_core.dbt import SchemaTableTranslator, dbt_build, fernway_dbt_project
from fernway_core.warehouse import Warehouse

DBT_PROJECT_DIR = Path(__file__).resolve().parents[4] / "dbt" / "analytics"
# Profile from libs/dbt-shared; the manifest is prepared by `make setup` (dbt deps + parse, only
# when the project changed), so loading this module never shells out to dbt.
analytics_project = fernway_dbt_project(DBT_PROJECT_DIR)

TRANSLATOR = SchemaTableTranslator(
    group_name="transform", owners=["team:analytics"], kinds={"dbt", "duckdb"}
)


@dbt_assets(
    manifest=analytics_project.manifest_path,
    project=analytics_project,
    dagster_dbt_translator=TRANSLATOR,
)
def analytics_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build the selected dbt models and run their tests (reported as asset checks)."""
    yield from dbt_build(context, dbt, warehouse, ["build"])
