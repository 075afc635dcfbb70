"""The courier app loaded by dlt: dataset `courier_app`, group `courier_app`.

Jobs select the four tables with `COURIER_APP_ASSETS` (`AssetSelection.groups("courier_app")`).
"""

from fernway_couriers.defs.courier_app.contracts import COURIER_APP_ASSETS, GROUP

__all__ = ["COURIER_APP_ASSETS", "GROUP"]
