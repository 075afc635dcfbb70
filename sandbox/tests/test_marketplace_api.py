"""The marketplace API over real HTTP: auth, pagination, filters, and agreement with the truth."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest
from support import all_orders, all_pages, cents, client


@pytest.fixture(scope="module")
def api(sandbox):
    with client(sandbox) as http:
        yield http


@pytest.fixture(scope="module")
def orders(api):
    return all_orders(api, limit=1000)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "x"}])
def test_requests_without_the_right_bearer_token_get_401(sandbox, headers):
    for path in ("/v1/cities", "/v1/orders", "/v1/customers", "/v1/reports/daily_totals"):
        response = httpx.get(sandbox.urls["marketplace"] + path, headers=headers)
        assert response.status_code == 401
        assert "error" in response.json()


def test_paging_every_order_matches_the_truth_in_cents(sandbox, orders):
    truth = sandbox.truth["marketplace"]["orders"]
    assert len(orders) == truth["count"]
    assert sum(cents(o["amount"]) for o in orders) == truth["amount_cents"]
    by_day: dict[str, Counter] = {}
    for o in orders:
        day = by_day.setdefault(o["ordered_at"][:10], Counter())
        day["count"] += 1
        day["amount_cents"] += cents(o["amount"])
        day[o["status"]] += 1
    for key, expected in truth["by_day"].items():
        assert by_day[key]["count"] == expected["count"]
        assert by_day[key]["amount_cents"] == expected["amount_cents"]
        assert {s: by_day[key][s] for s in expected["by_status"]} == expected["by_status"]


def test_orders_come_in_ordered_at_then_order_id_order(orders):
    keys = [(o["ordered_at"], o["order_id"]) for o in orders]
    assert keys == sorted(keys)


def test_order_records_follow_the_contract(orders):
    for o in orders[:2000]:
        assert cents(o["amount"]) == o["quantity"] * cents(o["unit_price"])
        assert o["refund_amount"] == (o["amount"] if o["status"] == "refunded" else "0.00")
        assert o["updated_at"] >= o["ordered_at"]
        assert o["ordered_at"].endswith("Z")
        assert o["order_id"].startswith("ord_")


@pytest.mark.parametrize("limit", [1, 7, 1000, 10_000])
def test_cursor_pages_cover_every_order_exactly_once(api, orders, limit):
    day = {"ordered_from": "2026-08-03", "ordered_to": "2026-08-04"}
    served = [o["order_id"] for o in all_orders(api, limit=limit, **day)]
    expected = [o["order_id"] for o in orders if o["ordered_at"].startswith("2026-08-03")]
    assert served == expected


def test_day_filters_partition_all_orders_exactly_once(sandbox, api, orders):
    ids: list[str] = []
    for d in range(sandbox.config.days):
        first = sandbox.config.start + dt.timedelta(days=d)
        window = {"ordered_from": first.isoformat(), "ordered_to": str(first + dt.timedelta(1))}
        ids.extend(o["order_id"] for o in all_orders(api, limit=500, **window))
    assert len(ids) == len(set(ids)) == len(orders)
    assert set(ids) == {o["order_id"] for o in orders}


def test_datetime_filters_are_inclusive_from_and_exclusive_to(api, orders):
    pivot = orders[100]["ordered_at"]
    before = all_orders(api, ordered_to=pivot)
    after = all_orders(api, ordered_from=pivot.replace("Z", "+00:00"))
    assert before == [o for o in orders if o["ordered_at"] < pivot]
    assert len(before) + len(after) == len(orders)


def test_updated_since_returns_exactly_the_later_updates(api, orders):
    since = "2026-08-08T00:00:00Z"
    served = all_orders(api, updated_since=since, limit=333)
    assert served == [o for o in orders if o["updated_at"] >= since]
    assert 0 < len(served) < len(orders)


def test_customers_page_numbers_and_link_header_reach_every_customer(sandbox, api):
    records, pages = all_pages(api, "/v1/customers", page_size=200)
    truth = sandbox.truth["marketplace"]["customers"]["count"]
    assert len(records) == len({c["customer_id"] for c in records}) == truth
    first = api.get("/v1/customers", params={"page_size": 200}).json()
    assert first["total"] == truth
    assert first["total_pages"] == pages == -(-truth // 200)
    last = api.get("/v1/customers", params={"page_size": 200, "page": pages})
    assert "next" not in last.links


def test_customers_updated_since_filters_and_keeps_the_filter_across_pages(api):
    everyone, _ = all_pages(api, "/v1/customers", page_size=1000)
    since = "2026-08-05T00:00:00Z"
    recent, _ = all_pages(api, "/v1/customers", page_size=50, updated_since=since)
    assert recent == [c for c in everyone if c["updated_at"] >= since]
    assert 0 < len(recent) < len(everyone)


def test_every_order_references_a_known_customer_product_and_city(api, orders):
    customers, _ = all_pages(api, "/v1/customers", page_size=1000)
    products, _ = all_pages(api, "/v1/products", page_size=100)
    cities = api.get("/v1/cities").json()["data"]
    assert len(products) == 300
    assert len(cities) == 20
    assert {o["customer_id"] for o in orders} <= {c["customer_id"] for c in customers}
    assert {o["product_id"] for o in orders} <= {p["product_id"] for p in products}
    assert {o["city_id"] for o in orders} <= {c["city_id"] for c in cities}


def test_daily_totals_match_the_truth_and_include_empty_days(sandbox, api):
    body = api.get("/v1/reports/daily_totals", params={"from": "2026-07-30", "to": "2026-08-12"})
    rows = {r["date"]: r for r in body.json()["data"]}
    assert len(rows) == 13
    assert rows["2026-07-30"] == {"date": "2026-07-30", "orders": 0, "amount": "0.00"}
    for key, expected in sandbox.truth["marketplace"]["orders"]["by_day"].items():
        assert rows[key]["orders"] == expected["count"]
        assert cents(rows[key]["amount"]) == expected["amount_cents"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": "ten"}, {"cursor": "garbage!"}, {"ordered_from": "yesterday"}],
)
def test_bad_order_parameters_get_400(api, params):
    response = api.get("/v1/orders", params=params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_paths_get_404(api):
    assert api.get("/v1/nope").status_code == 404
