"""Spark: a local session here, Spark Connect in production (set FERNWAY_SPARK_REMOTE)."""

from typing import Any
from urllib.parse import urlsplit

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import is_remote

from fernway_core.settings import get_settings

# Session settings the results depend on, sent to a Spark Connect server as well.
SESSION_SPARK = {"spark.sql.session.timeZone": "UTC"}
LOCAL_SPARK = {
    "spark.master": "local[2]",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    **SESSION_SPARK,
}


def engine_metadata(pyspark: LazyPySparkResource) -> dict[str, str]:
    """Which Spark ran: `connect` with its URL and session id, or `local` with its master.

    The URL keeps scheme, host and port only: its `;token=...` parameters may hold a secret.
    """
    spark: Any = pyspark.spark_session
    if is_remote():  # pyspark's own switch: this process talks to Spark through Spark Connect
        url = urlsplit(pyspark.spark_config["spark.remote"])
        return {
            "spark_engine": "connect",
            "spark_url": f"{url.scheme}://{url.netloc}",
            "spark_session_id": spark.session_id,
        }
    return {"spark_engine": "local", "spark_url": spark.sparkContext.master}


@dg.definitions
def resources() -> dg.Definitions:
    """A local Spark session, or a Spark Connect session when a remote is configured.

    Lazy (dagster-pyspark's `LazyPySparkResource`): the session starts when a step first uses
    it. A run on the in-process executor sets up every resource before its first step, and a
    local session costs a JVM start (~15 s on 2 cores) that runs without Spark steps never need.
    """
    remote = get_settings().spark_remote
    config = {"spark.remote": remote, **SESSION_SPARK} if remote else LOCAL_SPARK
    return dg.Definitions(resources={"pyspark": LazyPySparkResource(spark_config=config)})
