"""The same location against a Postgres warehouse, selected by configuration alone."""

import datetime as dt

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools.locations import load_location
from fernway_devtools.materialize import run_op_job_sensors, run_plan
from fernway_devtools.plan import plan_runs
from tests.conftest import DAYS, START
from tests.test_pipeline import big_orders, expected_big_orders


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
    # one row per city; the window (DAYS < 28) is all "last 28 days": every live order counted
    kpis = warehouse.query_arrow(
        "select count(*) as cities, sum(orders_28d) as orders, sum(orders_prev_28d) as earlier "
        "from marketing.city_kpis"
    ).to_pylist()
    live = warehouse.query_arrow(
        "select count(*) as n from analytics.orders "
        "where not is_cancelled and city_id in (select city_id from analytics.delivery_cities)"
    ).to_pylist()[0]["n"]
    assert kpis == [
        {"cities": truth["marketplace"]["cities"]["count"], "orders": live, "earlier": 0}
    ]
    assert big_orders(warehouse) == expected_big_orders(warehouse)
