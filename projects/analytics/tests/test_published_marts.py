"""The marts other locations read: dbt enforces the very contract `fernway_core.marts` publishes."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from fernway_core import marts
from fernway_devtools.dbt_projects import is_stale, prepare

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt" / "analytics"


def _normalized(data_type: str | None) -> str | None:
    """`DECIMAL(12,2)` and `decimal(12, 2)` are the same type; so are differently spaced names."""
    if data_type is None:
        return None
    return re.sub(r"\s*([(),])\s*", r"\1", " ".join(data_type.lower().split()))


def _model(manifest: dict[str, Any], mart: marts.Mart) -> dict[str, Any] | None:
    """The dbt model that builds `mart` (its relation is `<schema>.<alias>`), if any."""
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and (node["schema"], node["alias"]) == (
            mart.schema,
            mart.name,
        ):
            return node
    return None


def differences(mart: marts.Mart, model: dict[str, Any] | None) -> list[str]:
    """How the dbt model disagrees with the published mart: one line per problem."""
    if model is None:
        return [f"{mart.table}: no dbt model builds it"]
    problems = []
    if not model["config"].get("contract", {}).get("enforced"):
        problems.append(f"{mart.table}: the dbt contract is not enforced")
    in_dbt = {name: _normalized(c.get("data_type")) for name, c in model["columns"].items()}
    published = {c.name: _normalized(c.data_type) for c in mart.columns}
    for name in sorted(published.keys() - in_dbt.keys()):
        problems.append(f"{mart.table}.{name}: published, but not in the dbt contract")
    for name in sorted(in_dbt.keys() - published.keys()):
        problems.append(f"{mart.table}.{name}: in the dbt contract, but not published")
    for name in sorted(published.keys() & in_dbt.keys()):
        if published[name] != in_dbt[name]:
            problems.append(
                f"{mart.table}.{name}: dbt says {in_dbt[name]}, fernway_core.marts says "
                f"{published[name]}"
            )
    return problems


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    """The dbt manifest `make setup` prepared; parsed again first when the project changed."""
    if is_stale(DBT_PROJECT):
        prepare(DBT_PROJECT)
    return json.loads((DBT_PROJECT / "target" / "manifest.json").read_text())


@pytest.mark.parametrize("mart", marts.PUBLISHED, ids=lambda m: m.table)
def test_published_mart_matches_its_enforced_dbt_contract(manifest, mart) -> None:
    assert differences(mart, _model(manifest, mart)) == []


def test_a_missing_column_a_changed_type_and_an_unenforced_contract_are_each_reported(
    manifest,
) -> None:
    model = copy.deepcopy(_model(manifest, marts.ORDERS))
    model["config"]["contract"]["enforced"] = False
    del model["columns"]["net_amount"]
    model["columns"]["item_count"]["data_type"] = "bigint"
    assert differences(marts.ORDERS, model) == [
        "analytics.orders: the dbt contract is not enforced",
        "analytics.orders.net_amount: published, but not in the dbt contract",
        "analytics.orders.item_count: dbt says bigint, fernway_core.marts says integer",
    ]


def test_every_published_mart_is_an_asset_of_this_location(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for mart in marts.PUBLISHED:
        node = graph.get(mart.key)
        assert node.is_materializable, mart.key
        assert "dbt" in node.kinds, mart.key
