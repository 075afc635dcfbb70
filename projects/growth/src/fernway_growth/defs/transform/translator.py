"""How the growth dbt projects' nodes become Dagster assets: keys, groups, freshness targets."""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from fernway_core.dbt import SchemaTableTranslator
from fernway_growth.defs.freshness.policies import policy_from_meta

# dbt folder (second element of a node's fqn) -> Dagster group
FOLDER_GROUPS = {
    "staging": "github_staging",
    "intermediate": "github_intermediate",
    "marts": "growth_marts",
}


class GrowthDbtTranslator(SchemaTableTranslator):
    """Keys mirror the relation (`<schema>/<table>`), so a source of growth_marts that names a
    github_staging model gets that model's key: one graph across both projects. The group
    follows the dbt folder; `meta.fernway.freshness` becomes the FreshnessPolicy."""

    def __init__(self) -> None:
        super().__init__(group_name="growth_marts", owners=["team:growth"], kinds={"dbt", "duckdb"})

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        """The shared `<schema>/<table>` spec, grouped by folder, with its freshness target."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None or node.get("resource_type") != "model":
            return spec
        return spec.replace_attributes(
            group_name=FOLDER_GROUPS.get(node["fqn"][1], "growth_marts"),
            freshness_policy=policy_from_meta(node.get("config", {}).get("meta") or {}),
        )
