"""The courier app's GitHub issues and releases, synced by Airbyte's GitHub source connector.

The reference system's `airbyte_sync_job` runs an Airbyte connection on an Airbyte server. No
Airbyte server runs here (it needs Docker), and Dagster's Airbyte integration
(`AirbyteWorkspace`) only talks to such a server. Airbyte's connectors themselves are Python
packages speaking the Airbyte protocol, so this location runs `airbyte-source-github` the way the
platform runs its container: `discover`, then `read` with the configured catalog and the state the
last sync ended with, records and state messages written to the warehouse as they arrive. What is
not reproduced is the server around it (connection UI, its own scheduler and state database):
Dagster schedules the sync and the warehouse keeps the state.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from fernway_core.clock import Clock
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.airbyte import connector
from fernway_couriers.defs.airbyte.destination import SCHEMA
from fernway_couriers.defs.airbyte.resources import AirbyteGitHubSource
from fernway_couriers.defs.airbyte.sync import StreamOutcome, sync

GROUP = "airbyte"
OWNERS = ["team:couriers"]
STREAMS = {
    "releases": "Releases of the courier app's repository (Airbyte GitHub source, incremental "
    "on created_at, merged on id).",
    "issues": "Issues of the courier app's repository (Airbyte GitHub source, incremental on "
    "updated_at, merged on id).",
}


def asset_key(stream: str) -> dg.AssetKey:
    """`airbyte/github_<stream>`."""
    return dg.AssetKey(["airbyte", f"github_{stream}"])


def _metadata(warehouse: Warehouse, stream: str, outcome: StreamOutcome) -> dict[str, Any]:
    return {
        **warehouse.table_metadata(f"{SCHEMA}.{stream}"),
        "records_read": outcome.records,
        "rows_merged": outcome.rows_written,
        "records_rejected": outcome.rejected,
        "state_messages": outcome.states,
        "state_before": dg.MetadataValue.json(outcome.state_before or {}),
        "state_after": dg.MetadataValue.json(outcome.state_after or outcome.state_before or {}),
        "stream_status": outcome.status,
        "catalog_discovered": outcome.discovered,
    }


@dg.multi_asset(
    name="airbyte_github",
    specs=[
        dg.AssetSpec(
            asset_key(stream),
            description=description,
            group_name=GROUP,
            owners=OWNERS,
            kinds={"airbyte", "github"},
            skippable=True,
        )
        for stream, description in STREAMS.items()
    ],
    can_subset=True,
)
def airbyte_github(
    context: dg.AssetExecutionContext,
    airbyte_github: AirbyteGitHubSource,
    warehouse: Warehouse,
    clock: Clock,
) -> Iterator[dg.MaterializeResult]:
    """One Airbyte `read` of the selected streams into `airbyte_github.<stream>`."""
    streams = [s for s in STREAMS if asset_key(s) in context.selected_asset_keys]
    command = connector.command_for(airbyte_github.executable)
    try:
        outcomes = sync(
            command, airbyte_github.config(), warehouse, streams, context.log, clock.now
        )
    except connector.ConnectorError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    for stream in streams:
        yield dg.MaterializeResult(
            asset_key=asset_key(stream), metadata=_metadata(warehouse, stream, outcomes[stream])
        )
