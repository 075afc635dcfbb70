"""The run-stats sensor, ticking as the daemon ticks it, over a real run in a Dagster instance:
the run's materializations reach the DataHub stand-in with rows, schema, time and lineage."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest

from fernway_couriers.defs.catalog.sensors import datahub_run_stats

DUCKDB = "urn:li:dataset:(urn:li:dataPlatform:duckdb,{},DEV)"
FORECAST = DUCKDB.format("ml.demand_forecast")


# Stands in for ml's demand model in this instance: what the sensor reads is the run's event log
# (the key, row count and column schema a materialization reports), the rest from the webserver.
@dg.asset(key=["ml", "demand_forecast"])
def demand_forecast() -> dg.MaterializeResult:
    """Three forecast rows."""
    schema = dg.TableSchema(
        columns=[dg.TableColumn("day", "date"), dg.TableColumn("orders", "double")]
    )
    return dg.MaterializeResult(metadata={"dagster/row_count": 3, "dagster/column_schema": schema})


@dg.asset
def no_table() -> None:
    """An asset of another location the webserver does not show."""


def _of(proposals: list[dict[str, Any]], urn: str, aspect: str) -> list[dict[str, Any]]:
    return [p["aspect"] for p in proposals if p["entityUrn"] == urn and p["aspectName"] == aspect]


@pytest.mark.timeout(300)
def test_a_successful_runs_materializations_reach_datahub_on_the_next_tick(
    catalog_defs: dg.Definitions, datahub_sandbox, instance: dg.DagsterInstance
) -> None:
    first = datahub_run_stats.evaluate_tick(
        dg.build_sensor_context(instance=instance, definitions=catalog_defs)
    )
    assert datahub_sandbox.recorded("datahub") == []  # the first tick only sets the cursor

    run = dg.materialize([demand_forecast], instance=instance)
    second = datahub_run_stats.evaluate_tick(
        dg.build_sensor_context(
            instance=instance,
            cursor=first.cursor,
            definitions=catalog_defs,
            resources=catalog_defs.resources,
        )
    )
    proposals = datahub_sandbox.recorded("datahub")
    (profile,) = _of(proposals, FORECAST, "datasetProfile")
    assert profile["rowCount"] == 3
    assert profile["columnCount"] == 2
    assert profile["messageId"] == run.run_id
    (operation,) = _of(proposals, FORECAST, "operation")
    assert operation["customProperties"]["dagster_run_id"] == run.run_id
    assert operation["lastUpdatedTimestamp"] == profile["timestampMillis"]
    (schema,) = _of(proposals, FORECAST, "schemaMetadata")
    assert [(f["fieldPath"], f["nativeDataType"]) for f in schema["fields"]] == [
        ("day", "date"),
        ("orders", "double"),
    ]
    (lineage,) = _of(proposals, FORECAST, "upstreamLineage")
    assert {u["dataset"] for u in lineage["upstreams"]} == {
        DUCKDB.format("analytics.daily_order_summary"),
        DUCKDB.format("weather.fct_weather_actual"),
    }
    # the same run is not emitted twice
    third = datahub_run_stats.evaluate_tick(
        dg.build_sensor_context(
            instance=instance,
            cursor=second.cursor,
            definitions=catalog_defs,
            resources=catalog_defs.resources,
        )
    )
    assert third.cursor is not None
    assert len(datahub_sandbox.recorded("datahub")) == len(proposals)
