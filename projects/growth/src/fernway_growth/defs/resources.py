"""Resources every growth domain shares: the warehouse, the alert sink and the clock."""

import dagster as dg

from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.sinks import AlertResource
from fernway_core.warehouse import Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    """Bind shared resources from the environment's settings."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(url=settings.resolved_warehouse_url),
            "alerts": AlertResource(sink=settings.alert_sink),
            "clock": Clock(),
        }
    )
