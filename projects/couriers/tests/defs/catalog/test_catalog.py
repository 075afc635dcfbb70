"""The catalog asset against a real webserver (weather and ml) and the DataHub stand-in: the
proposals recorded by the stand-in hold every asset, its schema, owners and lineage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import dagster as dg

from fernway_core import marts
from fernway_couriers.defs.catalog.asset_graph import DagsterGraphQL
from fernway_couriers.defs.catalog.assets import KEY

DUCKDB = "urn:li:dataset:(urn:li:dataPlatform:duckdb,{},DEV)"


def _aspects(proposals: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest value of each aspect per dataset URN."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for p in proposals:
        found[p["entityUrn"]][p["aspectName"]] = p["aspect"]
    return found


def _upstreams(aspects: dict[str, Any]) -> set[str]:
    return {u["dataset"] for u in aspects["upstreamLineage"]["upstreams"]}


def _owners(aspects: dict[str, Any]) -> list[str]:
    return [o["owner"] for o in aspects["ownership"]["owners"]]


def test_the_catalog_holds_every_asset_with_lineage_schema_and_owners(
    catalog_defs: dg.Definitions, datahub_sandbox, webserver: str, instance: dg.DagsterInstance
) -> None:
    job = catalog_defs.resolve_job_def("datahub_catalog_job")
    result = job.execute_in_process(instance=instance)
    assert result.success
    datasets = _aspects(datahub_sandbox.recorded("datahub"))
    keys = {n.key for n in DagsterGraphQL(url=webserver).asset_nodes()}

    # one dataset per asset key: ml's external spec of weather's fact adds none
    assert len(datasets) == len(keys) > 15
    for urn, aspects in datasets.items():
        assert {"datasetProperties", "ownership", "globalTags", "upstreamLineage"} <= set(aspects)
        assert _owners(aspects), urn

    # cross-location lineage: ml <- analytics + weather
    assert _upstreams(datasets[DUCKDB.format("ml.demand_forecast")]) == {
        DUCKDB.format("analytics.daily_order_summary"),
        DUCKDB.format("weather.fct_weather_actual"),
    }
    assert _upstreams(datasets[DUCKDB.format("ml.customer_segments")]) == {
        DUCKDB.format("analytics.orders"),
        DUCKDB.format("analytics.customers"),
    }

    # the owner's definition wins over ml's external spec of the same key, dbt edges included
    fact = datasets[DUCKDB.format("weather.fct_weather_actual")]
    assert fact["datasetProperties"]["customProperties"]["dagster_location"] == "weather"
    assert "(weather location)" not in fact["datasetProperties"]["description"]
    assert _upstreams(fact) == {DUCKDB.format("weather_staging.stg_openweathermap__observations")}
    assert _owners(fact) == ["urn:li:corpGroup:weather"]
    assert {"urn:li:tag:location:weather", "urn:li:tag:kind:dbt"} <= {
        t["tag"] for t in fact["globalTags"]["tags"]
    }
    # dbt models with their columns, as the dbt YAML declares them
    fields = {f["fieldPath"]: f for f in fact["schemaMetadata"]["fields"]}
    assert fields["weather_actual_key"]["description"] == "city_id @ observed_hour; primary key."
    assert fact["schemaMetadata"]["platform"] == "urn:li:dataPlatform:duckdb"
    assert fact["subTypes"] == {"typeNames": ["Table"]}

    # a mart only ml declares (analytics not loaded): the contract's columns and owner
    orders = datasets[DUCKDB.format("analytics.orders")]
    assert [f["fieldPath"] for f in orders["schemaMetadata"]["fields"]] == [
        c.name for c in marts.ORDERS.columns
    ]
    assert _owners(orders) == ["urn:li:corpGroup:analytics"]

    # not a table: the notebook report is a `dagster` dataset named by its key
    report = "urn:li:dataset:(urn:li:dataPlatform:dagster,ml/demand_report,DEV)"
    assert datasets[report]["subTypes"] == {"typeNames": ["Asset"]}
    assert DUCKDB.format("ml.forecast_accuracy") in _upstreams(datasets[report])

    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == KEY]
    metadata = event.materialization.metadata
    assert metadata["datasets"].value == len(keys)
    assert metadata["cross_location_edges"].value == 3  # ml's weather edges (analytics is external)
    assert set(metadata["locations"].value) == {"weather", "ml"}
