"""The resources every location binds the same way: the warehouse, the alert sink and the clock."""

import dagster as dg

from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.sinks import AlertResource
from fernway_core.warehouse import Warehouse


def shared_resources() -> dg.Definitions:
    """`warehouse`, `alerts` and `clock`, bound from the environment's settings."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(url=settings.resolved_warehouse_url),
            "alerts": AlertResource(sink=settings.alert_sink),
            "clock": Clock(),
        }
    )
