"""The pure mapping: a GraphQL asset node becomes DataHub proposals (no server involved)."""

from __future__ import annotations

import dagster as dg
from datahub.metadata import schema_classes as dh

from fernway_couriers.defs.catalog.asset_graph import parse_node
from fernway_couriers.defs.catalog.mapping import Catalog, field_type


def _raw(path: list[str], location: str, kinds: list[str], deps: list[list[str]], **extra):
    return {
        "assetKey": {"path": path},
        "description": extra.get("description"),
        "groupName": "g",
        "kinds": kinds,
        "isMaterializable": True,
        "isAutoCreatedStub": False,
        "dependencyKeys": [{"path": d} for d in deps],
        "owners": extra.get("owners", [{"__typename": "TeamAssetOwner", "team": location}]),
        "tags": extra.get("tags", []),
        "repository": {"name": "__repository__", "location": {"name": location}},
        "metadataEntries": extra.get("metadata", []),
        "assetMaterializations": extra.get("materializations", []),
    }


def _schema(*columns: tuple[str, str, str | None]) -> dict:
    return {
        "__typename": "TableSchemaMetadataEntry",
        "label": "dagster/column_schema",
        "schema": {
            "columns": [
                {"name": n, "type": t, "description": d, "constraints": {"nullable": True}}
                for n, t, d in columns
            ]
        },
    }


NODES = [
    parse_node(
        _raw(
            ["ml", "demand_forecast"],
            "ml",
            ["duckdb", "python"],
            [["analytics", "daily_order_summary"], ["weather", "fct_weather_actual"]],
            description="Daily orders forecast.",
            owners=[
                {"__typename": "TeamAssetOwner", "team": "ml"},
                {"__typename": "UserAssetOwner", "email": "ada@fernway.example"},
            ],
            tags=[{"key": "tier", "value": "gold"}, {"key": "pii", "value": ""}],
            metadata=[_schema(("day", "date", "The day."), ("orders", "?", None))],
            materializations=[
                {
                    "runId": "r1",
                    "timestamp": "1767225600000",
                    "metadataEntries": [
                        {
                            "__typename": "IntMetadataEntry",
                            "label": "dagster/row_count",
                            "intValue": 7,
                        },
                        _schema(("day", "date", None), ("orders", "double", None)),
                    ],
                }
            ],
        )
    ),
    parse_node(_raw(["weather", "fct_weather_actual"], "weather", ["dbt", "postgres"], [])),
    parse_node(_raw(["ml", "demand_report"], "ml", ["jupyter"], [["ml", "demand_forecast"]])),
]
CATALOG = Catalog.of(
    NODES, warehouse_platform="postgres", fabric="PROD", dagster_url="http://d:3000"
)


def _aspects(key: list[str]) -> dict[str, object]:
    node = next(n for n in NODES if n.key == dg.AssetKey(key))
    return {type(m.aspect).__name__: m.aspect for m in CATALOG.dataset_mcps(node)}


def test_a_warehouse_table_gets_the_warehouse_platform_and_schema_dot_table() -> None:
    urn = "urn:li:dataset:(urn:li:dataPlatform:postgres,ml.demand_forecast,PROD)"
    assert CATALOG.urn(dg.AssetKey(["ml", "demand_forecast"])) == urn
    assert {m.entityUrn for m in CATALOG.dataset_mcps(NODES[0])} == {urn}


def test_lineage_points_at_each_upstream_dataset_even_one_the_graph_lacks() -> None:
    lineage = _aspects(["ml", "demand_forecast"])["UpstreamLineageClass"]
    assert isinstance(lineage, dh.UpstreamLineageClass)
    assert [u.dataset for u in lineage.upstreams] == [
        "urn:li:dataset:(urn:li:dataPlatform:postgres,analytics.daily_order_summary,PROD)",
        "urn:li:dataset:(urn:li:dataPlatform:postgres,weather.fct_weather_actual,PROD)",
    ]


def test_columns_come_as_materialized_with_the_declared_descriptions() -> None:
    schema = _aspects(["ml", "demand_forecast"])["SchemaMetadataClass"]
    assert isinstance(schema, dh.SchemaMetadataClass)
    assert [(f.fieldPath, f.nativeDataType, f.description) for f in schema.fields] == [
        ("day", "date", "The day."),
        ("orders", "double", None),
    ]
    assert isinstance(schema.fields[1].type.type, dh.NumberTypeClass)


def test_owners_tags_and_stats_of_the_latest_materialization() -> None:
    aspects = _aspects(["ml", "demand_forecast"])
    ownership = aspects["OwnershipClass"]
    assert isinstance(ownership, dh.OwnershipClass)
    assert [o.owner for o in ownership.owners] == [
        "urn:li:corpGroup:ml",
        "urn:li:corpuser:ada@fernway.example",
    ]
    tags = aspects["GlobalTagsClass"]
    assert isinstance(tags, dh.GlobalTagsClass)
    assert [t.tag for t in tags.tags] == [
        "urn:li:tag:location:ml",
        "urn:li:tag:kind:duckdb",
        "urn:li:tag:kind:python",
        "urn:li:tag:pii",
        "urn:li:tag:tier:gold",
    ]
    profile = aspects["DatasetProfileClass"]
    assert isinstance(profile, dh.DatasetProfileClass)
    assert (profile.rowCount, profile.columnCount, profile.timestampMillis) == (7, 2, 1767225600000)
    props = aspects["DatasetPropertiesClass"]
    assert isinstance(props, dh.DatasetPropertiesClass)
    assert props.externalUrl == "http://d:3000/assets/ml/demand_forecast"


def test_an_asset_that_is_no_table_is_a_dagster_dataset_without_stats() -> None:
    aspects = _aspects(["ml", "demand_report"])
    assert CATALOG.urn(dg.AssetKey(["ml", "demand_report"])) == (
        "urn:li:dataset:(urn:li:dataPlatform:dagster,ml/demand_report,PROD)"
    )
    assert "DatasetProfileClass" not in aspects
    assert "SchemaMetadataClass" not in aspects
    subtypes = aspects["SubTypesClass"]
    assert isinstance(subtypes, dh.SubTypesClass)
    assert subtypes.typeNames == ["Asset"]


def test_warehouse_types_map_to_datahub_field_types() -> None:
    cases = {
        "decimal(18,2)": dh.NumberTypeClass,
        "bigint": dh.NumberTypeClass,
        "varchar": dh.StringTypeClass,
        "timestamp with time zone": dh.TimeTypeClass,
        "date": dh.DateTypeClass,
        "boolean": dh.BooleanTypeClass,
        "?": dh.NullTypeClass,
    }
    assert {t: type(field_type(t).type) for t in cases} == cases
