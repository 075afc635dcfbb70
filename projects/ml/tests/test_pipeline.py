"""The whole location materializes the way `make demo` runs it, on DuckDB and on Postgres."""

from __future__ import annotations

import pyarrow as pa
import pytest

from fernway_core import marts
from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse
from fernway_devtools.locations import load_location
from fernway_devtools.materialize import run_plan
from fernway_devtools.plan import plan_runs
from tests.conftest import END, START

ML_TABLES = [
    "ml.demand_forecast",
    "ml.forecast_accuracy",
    "ml.model_stats",
    "ml.customer_segments",
    "ml.segment_profiles",
]
UPSTREAM_TABLES = [
    *(m.table for m in (marts.DAILY_ORDER_SUMMARY, marts.CUSTOMERS, marts.ORDERS)),
    "weather.fct_weather_actual",
]


def _materialize_location(instance) -> list[dict]:
    defs = load_location("fernway_ml.definitions")
    reports = run_plan(defs, plan_runs(defs, START, END), instance)
    assert reports
    assert all(r["success"] for r in reports), reports
    return reports


def _load_inputs(source: Warehouse, target: Warehouse) -> None:
    """The upstream marts, copied from the DuckDB fixture when the target is another warehouse."""
    if target.url != source.url:
        target.replace_many(
            [Replacement(t, source.query_arrow(f"select * from {t}")) for t in UPSTREAM_TABLES]
        )


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_every_asset_materializes_with_weather_features_and_both_models_scored(
    dialect, warehouse, instance, monkeypatch, request
) -> None:
    if dialect == "postgres":
        monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", request.getfixturevalue("scratch_database"))
        get_settings.cache_clear()
    target = Warehouse(url=get_settings().resolved_warehouse_url)
    assert target.dialect == dialect
    _load_inputs(warehouse, target)
    reports = _materialize_location(instance)
    materialized = {key for r in reports for key in r["materialized"]}
    assert {t.replace(".", "/") for t in ML_TABLES} | {"ml/demand_report"} <= materialized
    assert all(target.table_metadata(t)["dagster/row_count"] > 0 for t in ML_TABLES)
    accuracy = target.query_arrow(
        "select model, mape, mae, bias from ml.forecast_accuracy order by model"
    )
    assert accuracy.column("model").to_pylist() == ["forecast", "naive_seasonal"]
    assert pa.compute.all(pa.compute.is_valid(accuracy.column("mape"))).as_py()
    flags = target.query_arrow("select distinct weather_features from ml.demand_forecast")
    assert flags.to_pylist() == [{"weather_features": True}]
