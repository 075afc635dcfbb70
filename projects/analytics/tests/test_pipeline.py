"""The whole location end to end (sensors, ingestion, dbt, Spark, marketing) as the demo runs it."""

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from fernway_core.warehouse import Warehouse
from fernway_devtools.materialize import run_op_job_sensors, run_plan
from fernway_devtools.plan import plan_runs
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
    assert big_orders(warehouse) == expected_big_orders(warehouse)


def big_orders(warehouse: Warehouse) -> set[tuple[str, str, Decimal]]:
    """(city, order, city threshold) of every row of analytics.big_orders."""
    rows = warehouse.query_arrow(
        "select city_id, order_id, city_threshold from analytics.big_orders"
    ).to_pylist()
    return {(r["city_id"], r["order_id"], Decimal(r["city_threshold"])) for r in rows}


def expected_big_orders(warehouse: Warehouse) -> set[tuple[str, str, Decimal]]:
    """The top 5% per city, computed here from analytics.orders: every order whose net amount is
    at or above its city's 95th percentile.

    The asset's percentile is Spark's percentile_approx(net_amount, 0.95), which is exact below
    5,000 values per city (relative error 1e-4): the ceil(0.95 n)-th smallest of the city's n
    net amounts, i.e. the smallest one that at least 95% of them do not exceed. Cancelled orders
    and orders without a city are not candidates.
    """
    rows = warehouse.query_arrow(
        "select city_id, order_id, net_amount from analytics.orders "
        "where not is_cancelled and city_id is not null"
    ).to_pylist()
    by_city: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_city[row["city_id"]].append(row)
    expected = set()
    for city, orders in by_city.items():
        assert len(orders) < 5000, f"{city}: percentile_approx is not exact for {len(orders)}"
        amounts = sorted(Decimal(o["net_amount"]) for o in orders)
        threshold = amounts[math.ceil(0.95 * len(amounts)) - 1]
        expected |= {
            (city, o["order_id"], threshold) for o in orders if o["net_amount"] >= threshold
        }
    assert len(by_city) > 1
    assert 0 < len(expected) < len(rows)  # a selection, not all or nothing
    return expected
