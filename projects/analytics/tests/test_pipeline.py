"""The whole location end to end (sensors, ingestion, dbt, Spark, marketing) as the demo runs it."""

import datetime as dt

from fernway_core.platform.materialize import run_op_job_sensors, run_plan
from fernway_core.platform.plan import plan_runs
from tests.conftest import DAYS, START


def test_every_asset_materializes_and_marts_match_the_source(
    clean_sandbox, defs, instance, warehouse
):
    reports = run_op_job_sensors(defs, instance)
    reports += run_plan(defs, plan_runs(defs, START, START + dt.timedelta(days=DAYS)), instance)
    assert reports
    assert all(r["success"] for r in reports), reports
    failed = [c for r in reports for c in r["checks"] if not c["passed"]]
    assert failed == []
    materialized = {a for r in reports for a in r["materialized"]}
    graph = defs.resolve_asset_graph()
    executable = {
        n.key.to_user_string() for n in graph.asset_nodes if n.is_executable and not n.is_external
    }
    assert executable <= materialized

    truth = clean_sandbox.truth
    summary = warehouse.query_arrow(
        "select channel, sum(orders) as orders, cast(sum(gross_amount) * 100 as bigint) as cents "
        "from analytics.daily_order_summary group by channel order by channel"
    ).to_pylist()
    assert summary == [
        {
            "channel": "app",
            "orders": truth["marketplace"]["orders"]["count"],
            "cents": truth["marketplace"]["orders"]["amount_cents"],
        },
        {
            "channel": "partner",
            "orders": truth["s3"]["partner_orders"]["count"],
            "cents": truth["s3"]["partner_orders"]["amount_cents"],
        },
    ]
    big = warehouse.query_arrow("select count(*) as n from analytics.big_orders").to_pylist()[0][
        "n"
    ]
    orders = warehouse.query_arrow(
        "select count(*) as n from analytics.orders where not is_cancelled"
    ).to_pylist()[0]["n"]
    assert 0 < big < orders * 0.1
