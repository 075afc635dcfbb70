"""The same location against a Postgres warehouse, selected by configuration alone."""

import datetime as dt

from fernway_core.platform.locations import load_location
from fernway_core.platform.materialize import run_op_job_sensors, run_plan
from fernway_core.platform.plan import plan_runs
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from tests.conftest import DAYS, START


def test_every_asset_materializes_on_a_postgres_warehouse(
    clean_sandbox, scratch_database, monkeypatch, instance
):
    monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", scratch_database)
    get_settings.cache_clear()
    defs = load_location("fernway_analytics.definitions")
    reports = run_op_job_sensors(defs, instance)
    reports += run_plan(defs, plan_runs(defs, START, START + dt.timedelta(days=DAYS)), instance)
    assert all(r["success"] for r in reports), reports
    assert [c for r in reports for c in r["checks"] if not c["passed"]] == []
    warehouse = Warehouse(url=scratch_database)
    assert warehouse.dialect == "postgres"
    truth = clean_sandbox.truth
    summary = warehouse.query_arrow(
        "select channel, sum(orders) as orders from analytics.daily_order_summary "
        "group by channel order by channel"
    ).to_pylist()
    assert summary == [
        {"channel": "app", "orders": truth["marketplace"]["orders"]["count"]},
        {"channel": "partner", "orders": truth["s3"]["partner_orders"]["count"]},
    ]
    assert warehouse.table_exists("marketing.city_kpis")
    assert warehouse.table_exists("analytics.big_orders")
