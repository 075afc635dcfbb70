"""Reading the model's inputs from the warehouse: daily orders and, if present, daily weather."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fernway_core.warehouse import Warehouse

WEATHER_TABLE = "weather.fct_weather_actual"
NO_BOUND = dt.date(9999, 12, 31)
MIN_HOURS_PER_DAY = 12  # a day with fewer observed hours does not count as covered

DAILY_ORDERS_SQL = """
select
    order_date,
    cast(sum(orders) as bigint) as orders
from analytics.daily_order_summary
where order_date < ?
group by order_date
order by order_date
"""

DAILY_WEATHER_SQL = """
select
    cast(observed_hour as date) as day,
    avg(temp_c) as temp_c,
    sum(coalesce(rain_mm, 0) + coalesce(snow_mm, 0)) / count(distinct city_id) as precip_mm,
    count(distinct extract(hour from observed_hour)) as hours
from weather.fct_weather_actual
where observed_hour < ?
group by cast(observed_hour as date)
order by 1
"""


def daily_orders(warehouse: Warehouse, before: dt.date = NO_BOUND) -> pd.Series:
    """Total orders per day (all channels) for days before `before`, indexed by day."""
    frame = warehouse.query_arrow(DAILY_ORDERS_SQL, [before]).to_pandas()
    index = pd.DatetimeIndex(pd.to_datetime(frame["order_date"]), name="day")
    return pd.Series(frame["orders"].to_numpy(dtype=float), index=index, name="orders")


def daily_weather(warehouse: Warehouse, before: dt.date = NO_BOUND) -> pd.DataFrame | None:
    """Mean temperature and precipitation per day over the cities; None without the table."""
    if not warehouse.table_exists(WEATHER_TABLE):
        return None
    bound = dt.datetime.combine(before, dt.time())
    frame = warehouse.query_arrow(DAILY_WEATHER_SQL, [bound]).to_pandas()
    frame = frame[frame["hours"] >= MIN_HOURS_PER_DAY]
    index = pd.DatetimeIndex(pd.to_datetime(frame["day"]), name="day")
    return frame[["temp_c", "precip_mm"]].astype(float).set_index(index)
