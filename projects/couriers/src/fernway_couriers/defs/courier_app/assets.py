"""The courier app's couriers, shifts, deliveries and payouts, merged by dlt via `@dlt_assets`."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.courier_app.contracts import (
    BY_NAME,
    CURSOR,
    DATASET,
    GROUP,
    OWNERS,
    TABLES,
    Table,
)
from fernway_couriers.defs.courier_app.destination import make_pipeline
from fernway_couriers.defs.courier_app.load import ContractViolation, LoadOutcome, load_courier_app
from fernway_couriers.defs.courier_app.resources import CourierAppApi
from fernway_couriers.defs.courier_app.source import Api, courier_app_source

DRIFT_IDS_SHOWN = 100  # ids of records with undeclared fields listed in metadata, per field


class CourierAppTranslator(DagsterDltTranslator):
    """Keys `["courier_app", <table>]`, the contract's description, group, owner and kinds."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        """The asset of one dlt resource (its table)."""
        table = BY_NAME[str(data.resource.table_name)]
        return (
            super()
            .get_asset_spec(data)
            .replace_attributes(
                key=table.asset_key,
                deps=[],
                description=table.description,
                group_name=GROUP,
                owners=OWNERS,
                kinds={"dlt", "duckdb"},
            )
        )


def table_metadata(table: Table, warehouse: Warehouse, outcome: LoadOutcome) -> dict[str, Any]:
    """Row count, column schema and table name, plus what this load read and merged."""
    read = outcome.read.of(table.name)
    rejects = read.rejects_table()
    return {
        **warehouse.table_metadata(table.qualified),
        "dlt_load_id": outcome.load_id or "",
        "records_listed": read.listed,
        "records_merged": len(read.valid_ids()),
        "records_rejected": rejects.num_rows,
        "duplicates_collapsed": read.duplicates,
        "undeclared_fields": {k: len(v) for k, v in read.drift.items()} or "none",
        "undeclared_field_ids": {k: v[:DRIFT_IDS_SHOWN] for k, v in read.drift.items()} or "none",
        "cursor_before": str(outcome.cursors_before.get(table.name)),
        "cursor_after": str(outcome.cursors_after.get(table.name)),
        "updated_since": read.since or "none (full read)",
        "primary_key": table.key,
        "cursor": CURSOR,
        **read.stats,
        **{f"seconds_{k}": round(v, 2) for k, v in outcome.seconds.items()},
    }


@dg.definitions
def defs() -> dg.Definitions:
    """The dlt assets, declared from the settings (no request at load time)."""
    settings = get_settings()
    pipeline = make_pipeline(
        Warehouse(url=settings.resolved_warehouse_url), Path(settings.data_dir) / "dlt"
    )

    @dlt_assets(
        dlt_source=courier_app_source(Api(settings.couriers_url, "")),
        dlt_pipeline=pipeline,
        name=DATASET,
        dagster_dlt_translator=CourierAppTranslator(),
    )
    def courier_app_assets(
        context: dg.AssetExecutionContext,
        courier_app: CourierAppApi,
        warehouse: Warehouse,
        clock: Clock,
    ) -> Iterator[dg.MaterializeResult]:
        """Couriers, shifts, deliveries and payouts changed since the last load, merged by id."""
        selected = [t for t in TABLES if t.asset_key in context.selected_asset_keys]
        try:
            outcome = load_courier_app(
                courier_app.api(),
                warehouse,
                clock.now(),
                context.log.info,
                [t.name for t in selected],
            )
        except ContractViolation as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        for table in selected:
            yield dg.MaterializeResult(
                asset_key=table.asset_key, metadata=table_metadata(table, warehouse, outcome)
            )

    return dg.Definitions(assets=[courier_app_assets])
