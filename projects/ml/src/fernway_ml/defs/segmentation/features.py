"""Behavioural features per customer, and the clustering that turns them into segments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fernway_core.warehouse import Warehouse
from fernway_ml.defs.segmentation.config import SegmentationConfig

NO_ORDERS = 0  # segment of customers who never ordered: described, not clustered
FEATURES = [
    "lifetime_orders",
    "lifetime_net_revenue",
    "avg_order_value",
    "recency_days",
    "tenure_days",
    "cancel_rate",
]
# Heavy-tailed counts and amounts are clustered on a log scale.
LOG_FEATURES = {"lifetime_orders", "lifetime_net_revenue", "avg_order_value"}

FEATURES_SQL = """
with order_stats as (
    select
        customer_id,
        avg(case when is_cancelled then 1.0 else 0.0 end) as cancel_rate
    from analytics.orders
    where customer_id is not null
    group by customer_id
),

as_of as (
    select max(last_order_date) as last_day from analytics.customers
)

select
    customers.customer_id,
    customers.lifetime_orders,
    cast(customers.lifetime_net_revenue as double precision) as lifetime_net_revenue,
    as_of.last_day - customers.last_order_date as recency_days,
    as_of.last_day - customers.first_order_date as tenure_days,
    coalesce(order_stats.cancel_rate, 0) as cancel_rate
from analytics.customers as customers
cross join as_of
left join order_stats on customers.customer_id = order_stats.customer_id
order by customers.customer_id
"""


def customer_features(warehouse: Warehouse) -> pd.DataFrame:
    """One row per customer (indexed by customer_id) with the behavioural features."""
    frame = warehouse.query_arrow(FEATURES_SQL).to_pandas().set_index("customer_id")
    orders = frame["lifetime_orders"].astype(float)
    frame["avg_order_value"] = (frame["lifetime_net_revenue"] / orders.where(orders > 0)).fillna(
        0.0
    )
    return frame[FEATURES].astype(float)


def segment(features: pd.DataFrame, config: SegmentationConfig) -> pd.Series:
    """Segment per customer: 1..k ranked by mean net revenue (1 = highest); NO_ORDERS if none."""
    from sklearn.cluster import KMeans  # imported when clustering: ~2 s off location load
    from sklearn.preprocessing import StandardScaler

    ordering = features[features["lifetime_orders"] > 0]
    if len(ordering) < config.n_clusters:
        raise ValueError(
            f"{len(ordering)} ordering customers are too few for n_clusters={config.n_clusters}"
        )
    x = ordering.copy()
    for column in LOG_FEATURES:
        x[column] = np.log1p(x[column].clip(lower=0))
    scaled = StandardScaler().fit_transform(x.to_numpy())
    kmeans = KMeans(config.n_clusters, random_state=config.random_state, n_init=config.n_init)
    labels = kmeans.fit_predict(scaled)
    revenue = ordering["lifetime_net_revenue"].groupby(labels).mean()
    rank = {cluster: i + 1 for i, cluster in enumerate(revenue.sort_values(ascending=False).index)}
    segments = pd.Series(NO_ORDERS, index=features.index, name="segment")
    segments[ordering.index] = np.array([rank[c] for c in labels])
    return segments
