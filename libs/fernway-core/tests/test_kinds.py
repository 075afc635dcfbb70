"""The warehouse kind: assets declare duckdb; a Postgres warehouse shows postgres instead."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from fernway_core.kinds import with_warehouse_kind
from fernway_core.settings import reset_settings

POSTGRES = "postgresql://fernway@db.invalid/warehouse"


@dg.asset(key=["raw", "orders"], kinds={"python", "duckdb"})
def raw_orders() -> None:
    """Orders as loaded."""


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["analytics", "orders"], kinds={"dbt", "duckdb"}),
        dg.AssetSpec(["analytics", "customers"], kinds={"dbt", "duckdb"}),
    ]
)
def dbt_models():
    """Models built by dbt."""


def kinds(defs: dg.Definitions) -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    return {node.key.to_user_string(): set(node.kinds) for node in graph.asset_nodes}


# raw_orders is listed twice, as the defs-folder loader lists an asset imported by another module
DEFS = dg.Definitions(
    assets=[raw_orders, dbt_models, raw_orders, dg.AssetSpec(["ml", "report"], kinds={"jupyter"})]
)


def test_a_postgres_warehouse_replaces_the_duckdb_kind_of_every_asset() -> None:
    assert kinds(with_warehouse_kind(DEFS, POSTGRES)) == {
        "raw/orders": {"python", "postgres"},
        "analytics/orders": {"dbt", "postgres"},
        "analytics/customers": {"dbt", "postgres"},
        "ml/report": {"jupyter"},
    }


def test_a_duckdb_warehouse_keeps_the_declared_kinds() -> None:
    assert kinds(with_warehouse_kind(DEFS, "duckdb:///tmp/warehouse.duckdb")) == kinds(DEFS)


def test_the_warehouse_url_comes_from_the_settings(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert kinds(with_warehouse_kind(DEFS))["raw/orders"] == {"python", "duckdb"}
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", POSTGRES)
    reset_settings()
    assert kinds(with_warehouse_kind(DEFS))["raw/orders"] == {"python", "postgres"}
