"""Spark: a local session here, Spark Connect in production (set FERNWAY_SPARK_REMOTE)."""

import dagster as dg
from dagster_pyspark import PySparkResource

from fernway_core.settings import get_settings

LOCAL_SPARK = {
    "spark.master": "local[2]",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
}


@dg.definitions
def resources() -> dg.Definitions:
    """A local Spark session, or a Spark Connect session when a remote is configured."""
    remote = get_settings().spark_remote
    config = {"spark.remote": remote} if remote else LOCAL_SPARK
    return dg.Definitions(resources={"pyspark": PySparkResource(spark_config=config)})
