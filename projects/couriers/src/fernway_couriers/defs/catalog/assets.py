"""`catalog/datahub`: every asset of every location emitted to DataHub with lineage and schema."""

from collections import Counter

import dagster as dg

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.catalog.asset_graph import DagsterGraphQL, GraphQLError
from fernway_couriers.defs.catalog.mapping import Catalog
from fernway_couriers.defs.catalog.resources import DataHub

KEY = dg.AssetKey(["catalog", "datahub"])
GROUP = "catalog"
OWNERS = ["team:couriers"]


@dg.asset(
    key=KEY,
    group_name=GROUP,
    owners=OWNERS,
    kinds={"datahub", "python"},
)
def datahub_catalog(
    context: dg.AssetExecutionContext,
    dagster_graphql: DagsterGraphQL,
    datahub: DataHub,
    warehouse: Warehouse,
) -> dg.MaterializeResult:
    """Every asset of every location in DataHub: schema, owners, tags, lineage, latest stats."""
    try:
        locations = dagster_graphql.loaded_locations()
        nodes = dagster_graphql.asset_nodes()
    except GraphQLError as exc:
        raise dg.Failure(description=str(exc)) from None
    catalog = Catalog.of(
        nodes,
        warehouse_platform=warehouse.dialect,
        fabric=datahub.fabric,
        dagster_url=dagster_graphql.url,
    )
    mcps = [mcp for node in nodes for mcp in catalog.dataset_mcps(node)]
    sent = datahub.emit(mcps)
    edges = sum(len(n.deps) for n in nodes)
    cross = sum(
        1
        for n in nodes
        for d in n.deps
        if d in catalog.nodes and catalog.nodes[d].location != n.location
    )
    per_location = Counter(n.location for n in nodes)
    context.log.info(f"emitted {sent} proposals for {len(nodes)} datasets, {edges} lineage edges")
    return dg.MaterializeResult(
        metadata={
            "datasets": len(nodes),
            "lineage_edges": edges,
            "cross_location_edges": cross,
            "with_schema": sum(1 for n in nodes if catalog.columns(n)),
            "proposals": sent,
            "locations": dg.MetadataValue.json(
                {name: per_location.get(name, 0) for name in locations}
            ),
            "datahub_gms": dg.MetadataValue.url(datahub.gms_url),
        }
    )
