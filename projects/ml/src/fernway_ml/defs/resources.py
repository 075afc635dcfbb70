"""Resources every ml domain shares: the warehouse."""

import dagster as dg

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the warehouse from the environment's settings."""
    return dg.Definitions(
        resources={"warehouse": Warehouse(url=get_settings().resolved_warehouse_url)}
    )
