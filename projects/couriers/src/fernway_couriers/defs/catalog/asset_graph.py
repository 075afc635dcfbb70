"""The platform's asset graph, read from the Dagster webserver's GraphQL API.

The locations live in separate virtualenvs, so couriers cannot import them; the webserver has
loaded all of them and merges an external `AssetSpec` with the definition of the location that
owns it (one node per key, the owner's description, metadata and repository).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import httpx

COLUMN_SCHEMA = "dagster/column_schema"
ROW_COUNT = "dagster/row_count"

_NODE_FIELDS = """
  assetKey { path }
  description
  groupName
  kinds
  isMaterializable
  isAutoCreatedStub
  dependencyKeys { path }
  owners { __typename ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
  tags { key value }
  repository { name location { name } }
  metadataEntries { ...entry }
  assetMaterializations(limit: 1) { runId timestamp metadataEntries { ...entry } }
"""
_ENTRY = """
fragment entry on MetadataEntry {
  __typename
  label
  ... on IntMetadataEntry { intValue }
  ... on TextMetadataEntry { text }
  ... on TableSchemaMetadataEntry {
    schema { columns { name type description constraints { nullable } } }
  }
}
"""
ASSET_NODES = (
    "query CatalogAssetNodes($keys: [AssetKeyInput!]) "
    "{ assetNodes(assetKeys: $keys) {" + _NODE_FIELDS + "} }" + _ENTRY
)
LOCATIONS = """
query CatalogLocations {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
    ... on PythonError { message }
  }
}
"""


class GraphQLError(Exception):
    """The webserver could not be reached or answered with errors (one-line message)."""


@dataclass(frozen=True)
class Column:
    """A column of an asset's table schema."""

    name: str
    type: str
    description: str | None = None
    nullable: bool = True


@dataclass(frozen=True)
class Materialization:
    """An asset's latest materialization: its run, time and the stats it reported."""

    run_id: str
    timestamp_ms: int
    row_count: int | None
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class AssetNode:
    """One asset of the platform as the webserver merged it across locations."""

    key: dg.AssetKey
    location: str
    description: str | None
    group: str
    kinds: frozenset[str]
    owners: tuple[str, ...]
    tags: Mapping[str, str]
    deps: tuple[dg.AssetKey, ...]
    columns: tuple[Column, ...]
    materializable: bool
    stub: bool = False
    latest: Materialization | None = None
    text_metadata: Mapping[str, str] = field(default_factory=dict)


def _columns(entries: Iterable[Mapping[str, Any]]) -> tuple[Column, ...]:
    for entry in entries:
        if entry.get("label") == COLUMN_SCHEMA and entry.get("schema"):
            return tuple(
                Column(
                    name=c["name"],
                    type=c.get("type") or "?",
                    description=c.get("description") or None,
                    nullable=(c.get("constraints") or {}).get("nullable", True) is not False,
                )
                for c in entry["schema"]["columns"]
            )
    return ()


def _owner(raw: Mapping[str, Any]) -> str:
    return f"team:{raw['team']}" if "team" in raw else str(raw["email"])


def _materialization(raw: Mapping[str, Any]) -> Materialization:
    entries = raw.get("metadataEntries") or []
    row_count = next(
        (e.get("intValue") for e in entries if e.get("label") == ROW_COUNT),
        None,
    )
    return Materialization(
        run_id=raw["runId"],
        timestamp_ms=int(float(raw["timestamp"])),
        row_count=row_count,
        columns=_columns(entries),
    )


def parse_node(raw: Mapping[str, Any]) -> AssetNode:
    """An `AssetNode` from one element of the `assetNodes` answer."""
    materializations = raw.get("assetMaterializations") or []
    entries = raw.get("metadataEntries") or []
    return AssetNode(
        key=dg.AssetKey(raw["assetKey"]["path"]),
        location=raw["repository"]["location"]["name"],
        description=raw.get("description") or None,
        group=raw.get("groupName") or "default",
        kinds=frozenset(raw.get("kinds") or ()),
        owners=tuple(_owner(o) for o in raw.get("owners") or ()),
        tags={t["key"]: t["value"] for t in raw.get("tags") or ()},
        deps=tuple(dg.AssetKey(d["path"]) for d in raw.get("dependencyKeys") or ()),
        columns=_columns(entries),
        materializable=bool(raw.get("isMaterializable")),
        stub=bool(raw.get("isAutoCreatedStub")),
        latest=_materialization(materializations[0]) if materializations else None,
        text_metadata={e["label"]: e["text"] for e in entries if e.get("text") is not None},
    )


class DagsterGraphQL(dg.ConfigurableResource):
    """The webserver whose GraphQL API holds every loaded location's asset graph."""

    url: str
    timeout_s: float = 60.0
    load_wait_s: float = 300.0

    @property
    def endpoint(self) -> str:
        """`<url>/graphql`."""
        return f"{self.url.rstrip('/')}/graphql"

    def query(self, document: str, variables: Mapping[str, Any] | None = None) -> Any:
        """The `data` of one GraphQL request; GraphQLError on transport or GraphQL errors."""
        try:
            response = httpx.post(
                self.endpoint,
                json={"query": document, "variables": dict(variables or {})},
                timeout=self.timeout_s,
            )
        except httpx.HTTPError as exc:
            raise GraphQLError(f"Dagster GraphQL at {self.endpoint}: {exc}") from None
        if response.status_code != 200:
            raise GraphQLError(
                f"Dagster GraphQL at {self.endpoint}: HTTP {response.status_code}: "
                f"{response.text[:200]}"
            )
        body = response.json()
        if body.get("errors"):
            message = body["errors"][0].get("message", body["errors"][0])
            raise GraphQLError(f"Dagster GraphQL at {self.endpoint}: {message}")
        return body["data"]

    def locations(self) -> dict[str, str]:
        """Load status per location: `LOADED`, `LOADING`, or `ERROR: <message>`."""
        workspace = self.query(LOCATIONS)["workspaceOrError"]
        if workspace["__typename"] != "Workspace":
            raise GraphQLError(f"workspace not readable: {workspace.get('message')}")
        result = {}
        for entry in workspace["locationEntries"]:
            loaded = entry.get("locationOrLoadError") or {}
            if loaded.get("__typename") == "PythonError":
                first = (loaded.get("message") or "").strip().splitlines()[:1]
                result[entry["name"]] = "ERROR: " + (first[0] if first else "load failed")
            else:
                result[entry["name"]] = entry["loadStatus"]
        return result

    def loaded_locations(self) -> list[str]:
        """Wait until no location is loading; the loaded ones, or GraphQLError naming failures."""
        deadline = time.monotonic() + self.load_wait_s
        while True:
            status = self.locations()
            loading = sorted(n for n, s in status.items() if s == "LOADING")
            if not loading:
                break
            if time.monotonic() > deadline:
                raise GraphQLError(
                    f"locations still loading after {self.load_wait_s:.0f}s: {loading}"
                )
            time.sleep(1.0)
        failed = {n: s for n, s in status.items() if s.startswith("ERROR")}
        if failed:
            raise GraphQLError(
                "locations failed to load, the catalog would miss their assets: "
                + "; ".join(f"{n}: {s.removeprefix('ERROR: ')}" for n, s in sorted(failed.items()))
            )
        return sorted(status)

    def asset_nodes(self, keys: Sequence[dg.AssetKey] | None = None) -> list[AssetNode]:
        """Every asset node of the workspace (or only `keys`), one per key."""
        variables = {"keys": [{"path": list(k.path)} for k in keys]} if keys is not None else {}
        return [parse_node(raw) for raw in self.query(ASSET_NODES, variables)["assetNodes"]]
