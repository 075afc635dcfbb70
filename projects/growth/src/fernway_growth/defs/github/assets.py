"""GitHub repositories, stargazers and releases, loaded by dlt through `@dlt_assets`."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.contracts import DATASET, TABLES
from fernway_growth.defs.github.destination import make_pipeline
from fernway_growth.defs.github.load import LoadOutcome, SchemaDrift, load_github
from fernway_growth.defs.github.resources import GitHubApi
from fernway_growth.defs.github.source import Api, github_source

GROUP = "github"
OWNERS = ["team:growth"]
RETRY = dg.RetryPolicy(
    max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


class GitHubTranslator(DagsterDltTranslator):
    """Keys `["github", <table>]`, the contract's description, group, owner and kinds."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        """The asset of one dlt resource (its table)."""
        table = next(t for t in TABLES if t.name == data.resource.table_name)
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=table.asset_key,
            deps=[],
            description=table.description,
            group_name=GROUP,
            owners=OWNERS,
            kinds={"dlt", "duckdb"},
        )


def _metadata(table: Any, warehouse: Warehouse, outcome: LoadOutcome) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        **warehouse.table_metadata(table.qualified),
        "rows_read": outcome.rows_read[table.name],
        "records_rejected": outcome.rejected[table.name],
        "pages_fetched": outcome.pages[table.name].get("fetched", 0),
        "pages_not_modified": outcome.pages[table.name].get("not_modified", 0),
        "write_disposition": table.write_disposition,
        "primary_key": ", ".join(table.primary_key),
    }
    if table.cursor:
        metadata |= {
            "cursor": table.cursor,
            "cursor_before": str(outcome.cursor_before),
            "cursor_after": str(outcome.cursor_after),
            "unstarred": outcome.unstarred,
            "late_stars": outcome.late_stars,
        }
    if outcome.created:
        metadata["created_by_this_load"] = len(outcome.created)
    return metadata | {f"seconds_{k}": round(v, 2) for k, v in outcome.seconds.items()}


@dg.definitions
def defs() -> dg.Definitions:
    """The dlt assets, declared from the settings' repositories (no request at load time)."""
    settings = get_settings()
    api = Api(settings.github_url, "", tuple(settings.github_repo_list))
    pipeline = make_pipeline(
        Warehouse(url=settings.resolved_warehouse_url), Path(settings.data_dir) / "dlt"
    )

    @dlt_assets(
        dlt_source=github_source(api),
        dlt_pipeline=pipeline,
        name=DATASET,
        dagster_dlt_translator=GitHubTranslator(),
    )
    def github_assets(
        context: dg.AssetExecutionContext, github: GitHubApi, warehouse: Warehouse, clock: Clock
    ) -> Iterator[dg.MaterializeResult]:
        """Stars, releases and metadata of the tracked repositories, merged by dlt.

        A run that selected some of the three loads only those.
        """
        selected = [t for t in TABLES if t.asset_key in context.selected_asset_keys]
        names = [t.name for t in selected]
        try:
            outcome = load_github(github.api(), warehouse, clock.now(), context.log.info, names)
        except SchemaDrift as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        for table in selected:
            yield dg.MaterializeResult(
                asset_key=table.asset_key, metadata=_metadata(table, warehouse, outcome)
            )

    return dg.Definitions(assets=[github_assets])
