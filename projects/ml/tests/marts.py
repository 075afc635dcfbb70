"""Build the analytics marts ml reads, from a sandbox's generated data, into a DuckDB file.

The SQL mirrors the grain and columns of the analytics dbt marts (`orders`, `customers`,
`daily_order_summary`); the weather facts mirror `weather.fct_weather_actual`. Both are small
test stand-ins for what the other locations build, not a second implementation of them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from fernway_sandbox.cities import CITIES
from fernway_sandbox.climate import Place, hourly
from fernway_sandbox.dataset import Dataset

ORDERS_SQL = """
create table analytics.orders as
with app as (
    select
        order_id, 'app' as channel, cast(null as varchar) as partner_name, customer_id,
        product_id, city_id, status, quantity as item_count, amount, refund_amount,
        cast(ordered_at as timestamp) as ordered_at, cast(ordered_at as date) as order_date
    from src_orders
),
partner as (
    select
        order_id, 'partner' as channel, partner as partner_name, cast(null as varchar),
        cast(null as varchar), city_id, 'delivered', items, amount,
        cast(0 as decimal(12, 2)), cast(ordered_at as timestamp), cast(ordered_at as date)
    from src_partner_orders
),
unioned as (select * from app union all select * from partner)
select
    *,
    cast(amount - refund_amount as decimal(12, 2)) as net_amount,
    status = 'cancelled' as is_cancelled,
    status = 'refunded' as is_refunded
from unioned
"""

DAILY_SQL = """
create table analytics.daily_order_summary as
select
    order_date,
    channel,
    count(*) as orders,
    count(*) filter (where status = 'delivered') as delivered_orders,
    count(*) filter (where status = 'cancelled') as cancelled_orders,
    count(*) filter (where status = 'refunded') as refunded_orders,
    cast(sum(amount) as decimal(18, 2)) as gross_amount,
    cast(sum(refund_amount) as decimal(18, 2)) as refund_amount,
    cast(sum(amount - refund_amount) as decimal(18, 2)) as net_amount,
    cast(sum(amount) / count(*) as decimal(12, 2)) as avg_order_value
from analytics.orders
group by order_date, channel
"""

CUSTOMERS_SQL = """
create table analytics.customers as
with per_customer as (
    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as lifetime_orders,
        sum(case when status != 'cancelled' then amount - refund_amount else 0 end) as revenue
    from analytics.orders
    where channel = 'app'
    group by customer_id
)
select
    c.customer_id,
    c.name as customer_name,
    c.email,
    c.city_id,
    cities.name as city_name,
    cast(c.signed_up_at as timestamp) as signed_up_at,
    p.first_order_date,
    p.last_order_date,
    cast(coalesce(p.lifetime_orders, 0) as bigint) as lifetime_orders,
    cast(coalesce(p.revenue, 0) as decimal(18, 2)) as lifetime_net_revenue
from src_customers as c
left join src_cities as cities on c.city_id = cities.city_id
left join per_customer as p on c.customer_id = p.customer_id
"""


def build_marts(dataset: Dataset, path: Path) -> Path:
    """Write analytics.{orders, daily_order_summary, customers} for `dataset` to `path`."""
    tables = dataset.tables()
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone = 'UTC'")
        for name in ("orders", "partner_orders", "customers", "cities"):
            con.register(f"src_{name}", tables[name])
        con.execute("create schema analytics")
        for sql in (ORDERS_SQL, DAILY_SQL, CUSTOMERS_SQL):
            con.execute(sql)
    return path


def weather_actuals(seed: int, start: dt.date, end: dt.date) -> pa.Table:
    """Hourly observed weather per city over [start, end), as the weather location models it."""
    first = int(dt.datetime.combine(start, dt.time(), dt.UTC).timestamp()) // 3600
    hours = np.arange(first, first + (end - start).days * 24, dtype=np.int64)
    parts = []
    for city in CITIES:
        w = hourly(Place(seed, city.latitude, city.longitude), hours)
        parts.append(
            pa.table(
                {
                    "city_id": pa.array([city.city_id] * len(hours)),
                    "observed_hour": pa.array(hours * 3600 * 1_000_000).cast(pa.timestamp("us")),
                    "temp_c": w.temp_c,
                    "rain_mm": w.rain_mm,
                    "snow_mm": w.snow_mm,
                    "weather_condition_id": pa.array(np.where(w.rain_mm > 0, 500, 800)),
                }
            )
        )
    return pa.concat_tables(parts)


def add_weather(path: Path, table: pa.Table) -> None:
    """Create weather.fct_weather_actual in the DuckDB file at `path`."""
    with duckdb.connect(str(path)) as con:
        con.register("src_weather", table)
        con.execute("create schema if not exists weather")
        con.execute(
            "create or replace table weather.fct_weather_actual as select * from src_weather"
        )
