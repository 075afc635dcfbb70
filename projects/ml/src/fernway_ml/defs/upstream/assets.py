"""Assets of other code locations that ml reads: declared here, materialized there."""

import dagster as dg

from fernway_core import marts

DAILY_ORDER_SUMMARY = marts.DAILY_ORDER_SUMMARY.key
CUSTOMERS = marts.CUSTOMERS.key
ORDERS = marts.ORDERS.key
WEATHER_ACTUAL = dg.AssetKey(["weather", "fct_weather_actual"])

# The marts whose updates trigger the ml refresh (see refresh/sensors.py).
TRIGGERING_MARTS = [DAILY_ORDER_SUMMARY, CUSTOMERS]

daily_order_summary = marts.DAILY_ORDER_SUMMARY.spec()
customers = marts.CUSTOMERS.spec()
orders = marts.ORDERS.spec()
weather_actual = dg.AssetSpec(
    key=WEATHER_ACTUAL,
    description="Observed weather per city and hour (weather location); optional input.",
    owners=["team:weather"],
)
