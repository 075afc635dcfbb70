"""Ingestion through the sandbox's real HTTP servers into a real DuckDB warehouse."""

from decimal import Decimal

import dagster as dg

from tests.conftest import DAYS, START, range_tags

ORDERS = dg.AssetKey(["raw", "marketplace_orders"])
SNAPSHOTS = [
    dg.AssetKey(["raw", "marketplace_cities"]),
    dg.AssetKey(["raw", "marketplace_customers"]),
    dg.AssetKey(["raw", "marketplace_products"]),
]


def _ingest(defs, instance, keys):
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance, asset_selection=keys, tags=range_tags(START, DAYS), raise_on_error=False
    )


def _per_day(warehouse):
    rows = warehouse.query_arrow(
        "select cast(order_date as varchar) as day, count(*) as n, sum(amount) as amount "
        "from raw.marketplace_orders group by 1"
    ).to_pylist()
    return {r["day"]: (r["n"], int(Decimal(r["amount"]) * 100)) for r in rows}


def _truth_per_day(sandbox):
    by_day = sandbox.truth["marketplace"]["orders"]["by_day"]
    return {day: (v["count"], v["amount_cents"]) for day, v in by_day.items() if v["count"]}


def test_every_order_arrives_exactly_once_despite_5xx_and_429(
    faulty_sandbox, defs, instance, warehouse
):
    result = _ingest(defs, instance, [ORDERS, *SNAPSHOTS])
    assert result.success
    assert _per_day(warehouse) == _truth_per_day(faulty_sandbox)
    mat = result.asset_materializations_for_node("raw__marketplace_orders")[0]
    # every injected 5xx and 429 was answered by exactly one retry, and nothing else was
    statuses = mat.metadata["http_status_counts"].value
    refused = sum(n for status, n in statuses.items() if status != "200")
    assert set(statuses) <= {"200", "429", "500", "502", "503"}, statuses
    assert refused > 0, "faults were injected, so some requests must have been refused"
    assert mat.metadata["http_retries"].value == refused
    assert mat.metadata["http_requests"].value == statuses["200"] + refused
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["reconciles_with_source"] is True
    truth = faulty_sandbox.truth["marketplace"]
    counts = warehouse.query_arrow(
        "select (select count(*) from raw.marketplace_customers) as customers, "
        "(select count(*) from raw.marketplace_products) as products, "
        "(select count(*) from raw.marketplace_cities) as cities"
    ).to_pylist()[0]
    assert counts == {
        "customers": truth["customers"]["count"],
        "products": truth["products"]["count"],
        "cities": truth["cities"]["count"],
    }


def test_rerun_of_a_partition_range_does_not_duplicate_rows(
    clean_sandbox, defs, instance, warehouse
):
    assert _ingest(defs, instance, [ORDERS]).success
    first = _per_day(warehouse)
    assert _ingest(defs, instance, [ORDERS]).success
    assert _per_day(warehouse) == first
    dupes = warehouse.query_arrow(
        "select count(*) - count(distinct order_id) as d from raw.marketplace_orders"
    ).to_pylist()[0]["d"]
    assert dupes == 0


def test_single_partition_run_replaces_only_that_day(clean_sandbox, defs, instance, warehouse):
    assert _ingest(defs, instance, [ORDERS]).success
    before = _per_day(warehouse)
    job = defs.resolve_implicit_global_asset_job_def()
    day = START.isoformat()
    assert job.execute_in_process(
        instance=instance, asset_selection=[ORDERS], partition_key=day
    ).success
    assert _per_day(warehouse) == before
