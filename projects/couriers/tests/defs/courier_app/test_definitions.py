"""The courier_app package declares four dlt assets (one multi-asset), and its checks."""

from __future__ import annotations

import dagster as dg

from fernway_couriers.defs.courier_app import COURIER_APP_ASSETS
from fernway_devtools.pytest_plugin import (
    assert_every_check_has_a_failing_test,
    assert_every_fails_check_mark_names_a_check,
)
from tests.defs.courier_app.conftest import KEYS

CHECKS = {"keys_unique_and_not_null", "no_rejected_records", "reconciles_with_api"}


def test_the_four_tables_are_one_dlt_multi_asset(app_defs):
    (assets_def,) = app_defs.assets or []
    assert isinstance(assets_def, dg.AssetsDefinition)
    assert set(assets_def.keys) == set(KEYS)
    assert assets_def.op.pool is None  # no pools: writers wait on the DuckDB file lock
    for key in KEYS:
        spec = assets_def.specs_by_key[key]
        assert spec.group_name == "courier_app"
        assert spec.owners == ["team:couriers"]
        assert {"dlt", "duckdb"} <= set(spec.kinds)
        assert spec.description
    graph = app_defs.resolve_asset_graph()
    assert COURIER_APP_ASSETS.resolve(graph) == set(KEYS)


def test_every_table_has_its_checks_and_each_has_a_failing_test(app_defs):
    checks = {
        (k.asset_key.to_user_string(), k.name)
        for c in app_defs.asset_checks or []
        for k in c.check_keys
    }
    for key in KEYS:
        names = {name for asset, name in checks if asset == key.to_user_string()}
        expected = CHECKS | ({"references_resolve"} if key.path[-1] != "couriers" else set())
        assert names == expected, key
    assert_every_check_has_a_failing_test(app_defs, "tests.defs.courier_app")
    assert_every_fails_check_mark_names_a_check(app_defs, "tests.defs.courier_app")
