"""How the weather dbt project's nodes become Dagster assets: keys and groups."""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from fernway_core.dbt import SchemaTableTranslator

# dbt folder (second element of a node's fqn) -> Dagster group; seeds are reference data.
FOLDER_GROUPS = {"staging": "weather_staging", "marts": "weather_marts"}
SEED_GROUP = "weather_reference"


class WeatherDbtTranslator(SchemaTableTranslator):
    """Keys mirror the relation (`<schema>/<table>`); the group follows the dbt folder."""

    def __init__(self) -> None:
        super().__init__(group_name=SEED_GROUP, owners=["team:weather"], kinds={"dbt", "duckdb"})

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        """The shared `<schema>/<table>` spec, regrouped by the folder the node lives in."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None or node.get("resource_type") != "model":
            return spec
        return spec.replace_attributes(group_name=FOLDER_GROUPS.get(node["fqn"][1], SEED_GROUP))
