"""DataHub GMS (the real `acryl-datahub` REST emitter) and the Dagster webserver's GraphQL API."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter

from fernway_core.settings import get_settings
from fernway_couriers.defs.catalog.asset_graph import DagsterGraphQL
from fernway_couriers.defs.catalog.mapping import FABRICS

BATCH = 200  # proposals per ingestProposalBatch request


class DataHub(dg.ConfigurableResource):
    """Where metadata goes: DataHub GMS, through the SDK's REST emitter (Rest.li batches)."""

    gms_url: str
    token: str
    fabric: str = "DEV"
    timeout_s: float = 30.0
    retries: int = 3

    def emit(self, mcps: Sequence[MetadataChangeProposalWrapper]) -> int:
        """Send `mcps` in batches (the emitter retries 5xx/429); the number sent."""
        emitter = DatahubRestEmitter(
            gms_server=self.gms_url.rstrip("/"),
            token=self.token,
            timeout_sec=self.timeout_s,
            retry_max_times=self.retries,
        )
        try:
            emitter.test_connection()
            for start in range(0, len(mcps), BATCH):
                emitter.emit_mcps(list(mcps[start : start + BATCH]))
        finally:
            emitter.close()
        return len(mcps)


def catalog_resources() -> dict[str, dg.ConfigurableResource]:
    """`datahub` and `dagster_graphql` from settings; the token only through the environment."""
    settings = get_settings()
    return {
        "datahub": DataHub(
            gms_url=str(settings.datahub_gms_url),
            token=dg.EnvVar("FERNWAY_DATAHUB_TOKEN"),
            fabric=FABRICS[settings.env],
        ),
        "dagster_graphql": DagsterGraphQL(url=str(settings.dagster_url)),
    }


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the catalog's resources from the environment's settings."""
    return dg.Definitions(resources=catalog_resources())
