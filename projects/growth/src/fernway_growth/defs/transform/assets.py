"""The growth dbt projects as Dagster assets: github_staging, then growth_marts on top of it."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from fernway_core.dbt import dbt_build, fernway_dbt_project
from fernway_core.warehouse import Warehouse
from fernway_growth.defs.transform.translator import GrowthDbtTranslator

DBT_DIR = Path(__file__).resolve().parents[4] / "dbt"
# Profiles from libs/dbt-shared; manifests prepared by `make setup` (dbt deps + parse per
# project), so loading this module never shells out to dbt.
github_staging_project = fernway_dbt_project(DBT_DIR / "github_staging")
growth_marts_project = fernway_dbt_project(DBT_DIR / "growth_marts")


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    yield from dbt_build(context, dbt, warehouse, ["build", "--indirect-selection", "buildable"])


@dbt_assets(
    manifest=github_staging_project.manifest_path,
    project=github_staging_project,
    name="github_staging_models",
    dagster_dbt_translator=GrowthDbtTranslator(),
)
def github_staging_models(
    context: dg.AssetExecutionContext, dbt_github_staging: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build the staging and intermediate models over the raw GitHub loads, with their tests."""
    yield from _build(context, dbt_github_staging, warehouse)


@dbt_assets(
    manifest=growth_marts_project.manifest_path,
    project=growth_marts_project,
    name="growth_marts_models",
    dagster_dbt_translator=GrowthDbtTranslator(),
)
def growth_marts_models(
    context: dg.AssetExecutionContext, dbt_growth_marts: DbtCliResource, warehouse: Warehouse
) -> Iterator[Any]:
    """Build the growth marts over github_staging's public models, with their tests."""
    yield from _build(context, dbt_growth_marts, warehouse)
