"""Big orders: the top 5% of orders by net amount within each city, computed with Spark."""

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import Window
from pyspark.sql import functions as F

from fernway_analytics.defs.spark.resources import engine_metadata
from fernway_core.warehouse import Replacement, Warehouse

TOP_SHARE = 0.05


@dg.asset(
    key=["analytics", "big_orders"],
    deps=[dg.AssetKey(["analytics", "orders"])],
    group_name="spark",
    kinds={"spark", "duckdb"},
    owners=["team:analytics"],
)
def big_orders(
    context: dg.AssetExecutionContext, pyspark: LazyPySparkResource, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Orders in the top 5% of net amount within their city, one row per order."""
    orders = warehouse.query_arrow(
        "select order_id, channel, city_id, order_date, net_amount from analytics.orders "
        "where not is_cancelled and city_id is not null"
    )
    spark = pyspark.spark_session
    frame = spark.createDataFrame(orders)
    threshold = F.percentile_approx("net_amount", 1 - TOP_SHARE).over(Window.partitionBy("city_id"))
    big = (
        frame.withColumn("city_threshold", threshold)
        .where(F.col("net_amount") >= F.col("city_threshold"))
        .orderBy("city_id", F.col("net_amount").desc(), "order_id")
    )
    table = big.toArrow()
    warehouse.replace_many([Replacement("analytics.big_orders", table)])
    context.log.info(f"{table.num_rows} big orders out of {orders.num_rows}")
    return dg.MaterializeResult(
        metadata={
            **warehouse.table_metadata("analytics.big_orders"),
            "orders_scanned": orders.num_rows,
            **engine_metadata(pyspark),
        }
    )
