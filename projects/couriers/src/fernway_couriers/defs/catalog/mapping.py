"""Pure mapping from the platform's asset graph to DataHub metadata change proposals.

Each asset is one DataHub dataset. Assets stored in the warehouse (kind `duckdb`/`postgres`, or
an external or stub node with no kinds: their keys mirror the table) get the warehouse's
platform and the name `<schema>.<table>`; anything else (a notebook report, the catalog itself)
is a `dagster` dataset named by its asset key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import dagster as dg
from datahub.emitter.mce_builder import (
    make_data_platform_urn,
    make_dataset_urn,
    make_group_urn,
    make_tag_urn,
    make_user_urn,
)
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.source.sql.sql_types import resolve_sql_type
from datahub.metadata import schema_classes as dh

from fernway_couriers.defs.catalog.asset_graph import AssetNode, Column, Materialization

WAREHOUSE_KINDS = frozenset({"duckdb", "postgres"})
ASSET_PLATFORM = "dagster"
DBT_MATERIALIZATION = "dagster-dbt/materialization_type"
# DataHub fabric per Fernway environment: deployments never overwrite each other's datasets.
FABRICS = {"local": "DEV", "branch": "STG", "prod": "PROD"}

_NUMBER = (
    *("int", "integer", "bigint", "smallint", "tinyint", "hugeint", "ubigint", "uinteger"),
    *("decimal", "numeric", "double", "double precision", "float", "real"),
)
_TYPES: dict[str, type] = {
    **dict.fromkeys(_NUMBER, dh.NumberTypeClass),
    **dict.fromkeys(("varchar", "text", "string", "char", "uuid"), dh.StringTypeClass),
    **dict.fromkeys(("character varying", "character"), dh.StringTypeClass),
    **dict.fromkeys(("boolean", "bool"), dh.BooleanTypeClass),
    "date": dh.DateTypeClass,
}


def field_type(native: str) -> dh.SchemaFieldDataTypeClass:
    """DataHub's field type for a warehouse column type (`decimal(12,2)`, `timestamptz`, ...)."""
    base = native.strip().lower().split("(", 1)[0].strip()
    kind = _TYPES.get(base)
    if kind is None and base.startswith(("timestamp", "time")):
        kind = dh.TimeTypeClass
    resolved = kind() if kind is not None else resolve_sql_type(base, "postgres")
    return dh.SchemaFieldDataTypeClass(type=resolved or dh.NullTypeClass())


def _tag(key: str, value: str) -> str:
    return f"{key}:{value}" if value else key


@dataclass(frozen=True)
class Catalog:
    """Maps nodes of one asset graph to dataset URNs and aspects."""

    nodes: Mapping[dg.AssetKey, AssetNode]
    warehouse_platform: str
    fabric: str = "DEV"
    dagster_url: str | None = None

    @classmethod
    def of(cls, nodes: Iterable[AssetNode], **kwargs: str | None) -> Catalog:
        """A catalog over `nodes`, one per key."""
        return cls(nodes={n.key: n for n in nodes}, **kwargs)  # type: ignore[arg-type]

    def in_warehouse(self, key: dg.AssetKey) -> bool:
        """Whether the asset is a warehouse table (unknown keys are: keys mirror tables)."""
        node = self.nodes.get(key)
        return node is None or not node.kinds or bool(node.kinds & WAREHOUSE_KINDS)

    def platform(self, key: dg.AssetKey) -> str:
        """`duckdb`/`postgres` for warehouse tables, else `dagster`."""
        return self.warehouse_platform if self.in_warehouse(key) else ASSET_PLATFORM

    def dataset_name(self, key: dg.AssetKey) -> str:
        """`<schema>.<table>` for a table, the asset key (`a/b`) for anything else."""
        return ".".join(key.path) if self.in_warehouse(key) else key.to_user_string()

    def urn(self, key: dg.AssetKey) -> str:
        """The dataset URN of an asset key."""
        return make_dataset_urn(self.platform(key), self.dataset_name(key), self.fabric)

    def columns(self, node: AssetNode) -> tuple[Column, ...]:
        """The table's columns: as last materialized (real types), else as declared (dbt YAML,
        external specs); descriptions from the declaration where the materialization has none."""
        declared = {c.name: c for c in node.columns}
        if node.latest is None or not node.latest.columns:
            return node.columns
        return tuple(
            Column(
                c.name,
                c.type,
                c.description or (declared[c.name].description if c.name in declared else None),
                c.nullable,
            )
            for c in node.latest.columns
        )

    def dataset_mcps(self, node: AssetNode) -> list[MetadataChangeProposalWrapper]:
        """Properties, subtype, schema, owners, tags, upstream lineage and latest stats."""
        urn = self.urn(node.key)
        aspects: list[Any] = [
            self.properties(node),
            dh.SubTypesClass(typeNames=[self.subtype(node)]),
            self.ownership(node),
            self.tags(node),
            dh.UpstreamLineageClass(
                upstreams=[
                    dh.UpstreamClass(
                        dataset=self.urn(dep), type=dh.DatasetLineageTypeClass.TRANSFORMED
                    )
                    for dep in sorted(node.deps, key=lambda k: k.to_user_string())
                ]
            ),
        ]
        columns = self.columns(node)
        if columns:
            aspects.append(self.schema(node.key, columns))
        mcps = [MetadataChangeProposalWrapper(entityUrn=urn, aspect=a) for a in aspects]
        if node.latest is not None:
            mcps += stats_mcps(urn, node.latest, node.location, len(columns) or None)
        return mcps

    def properties(self, node: AssetNode) -> dh.DatasetPropertiesClass:
        """Name, description, where the asset is defined and a link to it in the Dagster UI."""
        path = node.key.to_user_string()
        custom = {
            "dagster_asset_key": path,
            "dagster_location": node.location,
            "dagster_group": node.group,
            "dagster_kinds": ",".join(sorted(node.kinds)),
            **{f"dagster_{k}": v for k, v in node.text_metadata.items() if "/" not in k},
        }
        url = None
        if self.dagster_url:
            url = f"{self.dagster_url.rstrip('/')}/assets/{quote(path)}"
        return dh.DatasetPropertiesClass(
            name=node.key.path[-1],
            qualifiedName=self.dataset_name(node.key),
            description=node.description,
            customProperties=custom,
            externalUrl=url,
        )

    def subtype(self, node: AssetNode) -> str:
        """`View` or `Table` in the warehouse (dbt's materialization), else `Asset`."""
        if not self.in_warehouse(node.key):
            return "Asset"
        return "View" if node.text_metadata.get(DBT_MATERIALIZATION) == "view" else "Table"

    def ownership(self, node: AssetNode) -> dh.OwnershipClass:
        """Dagster owners: `team:<name>` as a DataHub group, an email as a user."""
        owners = [
            dh.OwnerClass(
                owner=make_group_urn(o.removeprefix("team:"))
                if o.startswith("team:")
                else make_user_urn(o),
                type=dh.OwnershipTypeClass.TECHNICAL_OWNER,
            )
            for o in node.owners
        ]
        return dh.OwnershipClass(owners=owners)

    def tags(self, node: AssetNode) -> dh.GlobalTagsClass:
        """The location, each kind and each definition tag (`key` or `key:value`)."""
        names = [f"location:{node.location}", *(f"kind:{k}" for k in sorted(node.kinds))]
        names += [_tag(k, v) for k, v in sorted(node.tags.items()) if not k.startswith("dagster/")]
        return dh.GlobalTagsClass(tags=[dh.TagAssociationClass(tag=make_tag_urn(n)) for n in names])

    def schema(self, key: dg.AssetKey, columns: Iterable[Column]) -> dh.SchemaMetadataClass:
        """The columns as DataHub schema fields (native type kept)."""
        columns = list(columns)
        raw = "\n".join(f"{c.name} {c.type}" for c in columns)
        return dh.SchemaMetadataClass(
            schemaName=self.dataset_name(key),
            platform=make_data_platform_urn(self.platform(key)),
            version=0,
            hash=hashlib.sha256(raw.encode()).hexdigest(),
            platformSchema=dh.OtherSchemaClass(rawSchema=raw),
            fields=[
                dh.SchemaFieldClass(
                    fieldPath=c.name,
                    type=field_type(c.type),
                    nativeDataType=c.type,
                    nullable=c.nullable,
                    description=c.description,
                )
                for c in columns
            ],
        )


def stats_mcps(
    urn: str, materialization: Materialization, location: str, column_count: int | None = None
) -> list[MetadataChangeProposalWrapper]:
    """An `operation` (the table was updated by a Dagster run) and a `datasetProfile` (rows,
    columns) at the materialization's time."""
    run = {"dagster_run_id": materialization.run_id, "dagster_location": location}
    aspects: list[Any] = [
        dh.OperationClass(
            timestampMillis=materialization.timestamp_ms,
            lastUpdatedTimestamp=materialization.timestamp_ms,
            operationType=dh.OperationTypeClass.UPDATE,
            customProperties=run,
        )
    ]
    columns = column_count or len(materialization.columns) or None
    if materialization.row_count is not None or columns is not None:
        aspects.append(
            dh.DatasetProfileClass(
                timestampMillis=materialization.timestamp_ms,
                rowCount=materialization.row_count,
                columnCount=columns,
                messageId=materialization.run_id,
            )
        )
    return [MetadataChangeProposalWrapper(entityUrn=urn, aspect=a) for a in aspects]
