"""Run stats to DataHub as runs succeed, in every code location of the instance.

The DataHub Dagster plugin (`acryl-datahub-dagster-plugin`) would bring about 32 packages; this
sensor does the part the platform needs with the SDK already here: for each successful run, the
assets it materialized are re-emitted (schema as materialized, owners, tags, lineage) with an
`operation` and a `datasetProfile` (rows, columns) taken from the run's own events.
"""

import dataclasses

import dagster as dg

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.catalog.asset_graph import (
    COLUMN_SCHEMA,
    ROW_COUNT,
    Column,
    DagsterGraphQL,
    GraphQLError,
    Materialization,
)
from fernway_couriers.defs.catalog.mapping import Catalog, stats_mcps
from fernway_couriers.defs.catalog.resources import DataHub


def _materialization(entry: dg.EventLogEntry, run_id: str) -> Materialization:
    """What the catalog keeps of one materialization event: time, row count, column schema."""
    event = entry.asset_materialization
    assert event is not None
    metadata = event.metadata
    rows = metadata.get(ROW_COUNT)
    schema = metadata.get(COLUMN_SCHEMA)
    columns: tuple[Column, ...] = ()
    if isinstance(schema, dg.TableSchemaMetadataValue):
        columns = tuple(
            Column(c.name, c.type, c.description, c.constraints.nullable)
            for c in schema.schema.columns
        )
    return Materialization(
        run_id=run_id,
        timestamp_ms=int(entry.timestamp * 1000),
        row_count=rows.value if isinstance(rows, dg.IntMetadataValue) else None,
        columns=columns,
    )


def run_materializations(
    instance: dg.DagsterInstance, run_id: str
) -> dict[dg.AssetKey, Materialization]:
    """The last materialization of each asset in the run (a partitioned run may have several)."""
    found: dict[dg.AssetKey, Materialization] = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        event = entry.asset_materialization
        if event is not None:
            found[event.asset_key] = _materialization(entry, run_id)
    return found


@dg.run_status_sensor(
    name="datahub_run_stats",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitor_all_code_locations=True,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Emits each successful run's materializations (rows, schema, time) to DataHub.",
)
def datahub_run_stats(
    context: dg.RunStatusSensorContext,
    dagster_graphql: DagsterGraphQL,
    datahub: DataHub,
    warehouse: Warehouse,
) -> dg.SkipReason | None:
    """Emit the run's materialized assets and their stats; a failed emission fails the tick
    (the cursor stays, so the run is emitted again on the next tick)."""
    run_id = context.dagster_run.run_id
    done = run_materializations(context.instance, run_id)
    if not done:
        return dg.SkipReason(f"run {run_id} materialized no asset")
    try:
        nodes = dagster_graphql.asset_nodes(list(done))
        upstream = {d for n in nodes for d in n.deps} - done.keys()
        known = nodes + (dagster_graphql.asset_nodes(sorted(upstream, key=str)) if upstream else [])
    except GraphQLError as exc:
        raise dg.Failure(description=str(exc)) from None
    catalog = Catalog.of(
        known,
        warehouse_platform=warehouse.dialect,
        fabric=datahub.fabric,
        dagster_url=dagster_graphql.url,
    )
    mcps = [
        mcp
        for node in nodes
        for mcp in catalog.dataset_mcps(dataclasses.replace(node, latest=done[node.key]))
    ]
    # an asset the webserver no longer shows (its location reloaded without it): stats only
    origin = context.dagster_run.remote_job_origin
    location = origin.location_name if origin is not None else "unknown"
    for key in sorted(done.keys() - {n.key for n in nodes}, key=str):
        mcps += stats_mcps(catalog.urn(key), done[key], location)
    datahub.emit(mcps)
    context.log.info(f"run {run_id}: {len(done)} assets, {len(mcps)} proposals to DataHub")
    return None
