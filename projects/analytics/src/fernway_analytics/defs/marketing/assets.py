"""Marketing views of the marts, kept fresh by declarative automation against an SLA."""

import datetime as dt
from typing import Any

import dagster as dg

from fernway_core.warehouse import Replacement, Warehouse

SLA = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(hours=26), warn_window=dt.timedelta(hours=24)
)
# keyword arguments shared by every asset here
COMMON: dict[str, Any] = {
    "group_name": "marketing",
    "kinds": {"python", "duckdb"},
    "owners": ["team:marketing"],
    "automation_condition": dg.AutomationCondition.eager(),
    "freshness_policy": SLA,
    "retry_policy": dg.RetryPolicy(
        max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
}

CITY_KPIS_SQL = """
with orders as (
    select city_id, order_date, net_amount
    from analytics.orders
    where not is_cancelled
),

bounds as (
    select max(order_date) as last_day from orders
)

select
    cities.city_id,
    cities.name as city,
    count(*) filter (where orders.order_date > bounds.last_day - 28) as orders_28d,
    count(*) filter (
        where orders.order_date <= bounds.last_day - 28
        and orders.order_date > bounds.last_day - 56
    ) as orders_prev_28d,
    coalesce(sum(orders.net_amount) filter (where orders.order_date > bounds.last_day - 28), 0)
        as net_revenue_28d,
    avg(orders.net_amount) filter (where orders.order_date > bounds.last_day - 28)
        as avg_order_value_28d
from analytics.delivery_cities as cities
cross join bounds
left join orders on cities.city_id = orders.city_id
group by cities.city_id, cities.name
order by cities.city_id
"""

ACQUISITION_SQL = """
select
    cast(date_trunc('week', signed_up_at) as date) as signup_week,
    city_id,
    count(*) as new_customers,
    count(*) filter (where lifetime_orders > 0) as ordering_customers,
    count(*) filter (where lifetime_orders > 1) as repeat_customers
from analytics.customers
group by 1, 2
order by 1, 2
"""


def _refresh(warehouse: Warehouse, table: str, sql: str) -> dg.MaterializeResult:
    warehouse.replace_many([Replacement(table, warehouse.query_arrow(sql))])
    return dg.MaterializeResult(metadata=warehouse.table_metadata(table))


@dg.asset(
    key=["marketing", "city_kpis"],
    deps=[dg.AssetKey(["analytics", "orders"]), dg.AssetKey(["analytics", "delivery_cities"])],
    **COMMON,
)
def city_kpis(warehouse: Warehouse) -> dg.MaterializeResult:
    """Per-city orders, revenue and order value over the last 28 days vs the 28 before."""
    return _refresh(warehouse, "marketing.city_kpis", CITY_KPIS_SQL)


@dg.asset(
    key=["marketing", "customer_acquisition"],
    deps=[dg.AssetKey(["analytics", "customers"])],
    **COMMON,
)
def customer_acquisition(warehouse: Warehouse) -> dg.MaterializeResult:
    """New, ordering and repeat customers per signup week and city."""
    return _refresh(warehouse, "marketing.customer_acquisition", ACQUISITION_SQL)
