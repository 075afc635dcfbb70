"""Assets of other code locations that ml reads: declared here, materialized there."""

import dagster as dg

DAILY_ORDER_SUMMARY = dg.AssetKey(["analytics", "daily_order_summary"])
CUSTOMERS = dg.AssetKey(["analytics", "customers"])
ORDERS = dg.AssetKey(["analytics", "orders"])
WEATHER_ACTUAL = dg.AssetKey(["weather", "fct_weather_actual"])

# The marts whose updates trigger the ml refresh (see refresh/sensors.py).
TRIGGERING_MARTS = [DAILY_ORDER_SUMMARY, CUSTOMERS]

daily_order_summary = dg.AssetSpec(
    key=DAILY_ORDER_SUMMARY,
    description="Orders and revenue per order date and channel (analytics location, dbt).",
)
customers = dg.AssetSpec(
    key=CUSTOMERS,
    description="One row per customer with lifetime order figures (analytics location, dbt).",
)
orders = dg.AssetSpec(
    key=ORDERS,
    description="One row per order across channels (analytics location, dbt).",
)
weather_actual = dg.AssetSpec(
    key=WEATHER_ACTUAL,
    description="Observed weather per city and hour (weather location); optional input.",
)
