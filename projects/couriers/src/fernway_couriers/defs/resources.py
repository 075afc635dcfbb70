"""Resources every couriers domain shares: the warehouse, the alert sink and the clock."""

import dagster as dg

from fernway_core.resources import shared_resources


@dg.definitions
def resources() -> dg.Definitions:
    """Bind shared resources from the environment's settings."""
    return shared_resources()
