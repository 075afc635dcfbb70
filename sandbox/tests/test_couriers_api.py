"""The courier-app API over real HTTP: truth per entity and day to the cent, joins with the
marketplace's orders, keyset cursors, updated_since, late-arriving updates as the clock moves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict

import httpx
import pytest
from support import all_orders, cents
from support import client as marketplace_client

from fernway_sandbox.pytest_plugin import SMALL, start_sandbox

TOKEN = {"Authorization": "Bearer sandbox-couriers-token"}
END = dt.datetime(2026, 8, 11, tzinfo=dt.UTC)  # SMALL's window end
COURIERS_ONLY = {"services": ("couriers",)}
ENTITIES = ("couriers", "shifts", "deliveries", "payouts")


@pytest.fixture(scope="module")
def running():
    config = dataclasses.replace(SMALL, services=("marketplace", "couriers"), clock=END)
    with start_sandbox(config) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(running):
    with httpx.Client(base_url=running.urls["couriers"], headers=TOKEN, timeout=30) as http:
        yield http


def walk(api: httpx.Client, entity: str, **params: object) -> list[dict]:
    """Every record of a listing, following next_cursor."""
    records: list[dict] = []
    query = dict(params)
    while True:
        body = api.get(f"/v1/{entity}", params=query).raise_for_status().json()
        records.extend(body["data"])
        assert body["has_more"] == (body["next_cursor"] is not None)
        if body["next_cursor"] is None:
            return records
        query["cursor"] = body["next_cursor"]


@pytest.fixture(scope="module")
def everything(api):
    return {entity: walk(api, entity, limit=1000) for entity in ENTITIES}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "x"}])
def test_requests_without_the_right_bearer_token_get_401(running, headers):
    for entity in ENTITIES:
        response = httpx.get(f"{running.urls['couriers']}/v1/{entity}", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_deliveries_match_the_truth_per_day_to_the_cent(running, everything):
    truth = running.truth["couriers"]["deliveries"]
    deliveries = everything["deliveries"]
    assert len(deliveries) == len({d["delivery_id"] for d in deliveries}) == truth["count"]
    assert sum(cents(d["fee"]) for d in deliveries) == truth["fee_cents"]
    assert sum(cents(d["tip"]) for d in deliveries) == truth["tip_cents"]
    assert sum(cents(d["tip"]) > 0 for d in deliveries) == truth["tipped"]
    by_day: dict[str, Counter] = defaultdict(Counter)
    for d in deliveries:
        assert d["status"] == "delivered"
        day = by_day[d["delivered_at"][:10]]
        day["count"] += 1
        day["fee_cents"] += cents(d["fee"])
        day["tip_cents"] += cents(d["tip"])
    assert {k: dict(by_day[k]) for k in truth["by_day"]} == truth["by_day"]


def test_every_delivered_or_refunded_order_has_exactly_one_delivery(running, everything):
    with marketplace_client(running) as market:
        orders = {o["order_id"]: o for o in all_orders(market, limit=1000)}
    deliveries = everything["deliveries"]
    delivered = {k for k, o in orders.items() if o["status"] != "cancelled"}
    assert Counter(d["order_id"] for d in deliveries) == Counter(delivered)
    for d in deliveries:
        order = orders[d["order_id"]]
        assert d["city_id"] == order["city_id"]
        assert order["ordered_at"] <= d["picked_up_at"] <= d["delivered_at"]
        if order["status"] == "delivered":
            assert d["delivered_at"] == order["updated_at"]


def test_deliveries_lie_inside_their_couriers_shifts(everything):
    shifts = {s["shift_id"]: s for s in everything["shifts"]}
    couriers = {c["courier_id"]: c for c in everything["couriers"]}
    for d in everything["deliveries"]:
        shift = shifts[d["shift_id"]]
        assert shift["status"] == "completed"
        assert shift["courier_id"] == d["courier_id"]
        assert shift["started_at"] <= d["picked_up_at"] <= d["delivered_at"] <= shift["ended_at"]
        assert couriers[d["courier_id"]]["signed_up_at"] < shift["scheduled_at"]
        assert couriers[d["courier_id"]]["city_id"] == d["city_id"]


def test_shifts_and_couriers_match_the_truth_per_day(running, everything):
    truth = running.truth["couriers"]
    shifts = everything["shifts"]
    assert len(everything["couriers"]) == truth["couriers"]["count"]
    assert len(shifts) == truth["shifts"]["count"]
    assert Counter(s["status"] for s in shifts) == {
        "completed": truth["shifts"]["completed"],
        "cancelled": truth["shifts"]["cancelled"],
    }
    by_day: dict[str, Counter] = defaultdict(Counter)
    for s in shifts:
        day = by_day[s["started_at"][:10]]
        day["count"] += 1
        day[s["status"]] += 1
        if s["ended_at"]:
            began, ended = (dt.datetime.fromisoformat(s[k]) for k in ("started_at", "ended_at"))
            day["worked_seconds"] += int((ended - began).total_seconds())
    for key, expected in truth["shifts"]["by_day"].items():
        assert {k: by_day[key][k] for k in expected} == expected
    signups = Counter(c["signed_up_at"][:10] for c in everything["couriers"])
    assert {k: signups[k] for k in truth["couriers"]["by_day"]} == {
        k: v["signed_up"] for k, v in truth["couriers"]["by_day"].items()
    }


def test_payouts_are_a_weeks_fees_and_tips_per_courier_to_the_cent(running, everything):
    truth = running.truth["couriers"]
    earned: Counter = Counter()
    for d in everything["deliveries"]:
        delivered = dt.date.fromisoformat(d["delivered_at"][:10])
        monday = delivered - dt.timedelta(days=delivered.weekday())
        earned[d["courier_id"], monday.isoformat()] += cents(d["fee"]) + cents(d["tip"])
    payouts = everything["payouts"]
    assert payouts
    for p in payouts:
        assert cents(p["amount"]) == earned[p["courier_id"], p["period_start"]]
        assert p["period_end"] == str(dt.date.fromisoformat(p["period_start"]) + dt.timedelta(6))
        assert (p["status"] == "paid") == (p["paid_at"] is not None)
    total = sum(cents(p["amount"]) for p in payouts)
    assert total == truth["payouts"]["amount_cents"]
    assert (
        sum(cents(p["amount"]) for p in payouts if p["status"] == "paid")
        == (truth["payouts"]["paid_cents"])
    )
    assert total + truth["payouts"]["unpaid_earnings_cents"] == sum(earned.values())
    by_courier: Counter = Counter()
    for p in payouts:
        by_courier[p["courier_id"]] += cents(p["amount"])
    for courier, expected in truth["by_courier"].items():
        assert by_courier[courier] == expected["paid_out_cents"]
        assert sum(v for (c, _), v in earned.items() if c == courier) == expected["earned_cents"]
    for key, expected in truth["payouts"]["by_day"].items():
        made = [p for p in payouts if p["created_at"].startswith(key)]
        assert (len(made), sum(cents(p["amount"]) for p in made)) == (
            expected["count"],
            expected["amount_cents"],
        )


@pytest.mark.parametrize("entity", ENTITIES)
def test_cursor_pages_come_in_updated_at_then_id_order_each_record_once(api, everything, entity):
    served = walk(api, entity, limit=7 if entity in ("couriers", "payouts") else 97)
    assert served == everything[entity]
    key = f"{entity.removesuffix('s')}_id" if entity != "deliveries" else "delivery_id"
    order = [(r["updated_at"], r[key]) for r in served]
    assert order == sorted(order)


@pytest.mark.parametrize("entity", ENTITIES)
def test_updated_since_returns_exactly_the_later_updates(api, everything, entity):
    since = "2026-08-06T12:00:00Z"
    served = walk(api, entity, updated_since=since, limit=50)
    assert served == [r for r in everything[entity] if r["updated_at"] >= since]
    if entity != "couriers":
        assert 0 < len(served) < len(everything[entity])


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 5001}, {"cursor": "garbage!"}, {"updated_since": "soon"}]
)
def test_bad_parameters_get_400_and_unknown_paths_404(api, params):
    response = api.get("/v1/deliveries", params=params)
    assert response.status_code == 400
    assert response.json()["error"]
    assert api.get("/v1/couriers/nope").status_code == 404
    assert api.post("/v1/shifts").status_code == 405


def test_late_updates_reach_an_incremental_reader_as_the_clock_moves(sandbox_factory):
    sandbox = sandbox_factory(**COURIERS_ONLY, clock=dt.datetime(2026, 8, 5, 13))
    with httpx.Client(base_url=sandbox.urls["couriers"], headers=TOKEN) as http:
        seen = {e: {r["_id"]: r for r in keyed(walk(http, e, limit=500))} for e in ENTITIES}
        first = dict(seen["deliveries"])
        assert {r["status"] for r in first.values()} == {"in_transit", "delivered"}
        assert {r["status"] for r in seen["shifts"].values()} >= {"scheduled", "in_progress"}
        cursor = "2026-08-05T13:00:00Z"
        for later in (dt.datetime(2026, 8, 7, 20), END):
            sandbox.set_clock(later)
            for entity in ENTITIES:
                for r in keyed(walk(http, entity, updated_since=cursor, limit=200)):
                    seen[entity][r["_id"]] = r
            cursor = later.strftime("%Y-%m-%dT%H:%M:%SZ")
        final = {e: {r["_id"]: r for r in keyed(walk(http, e, limit=1000))} for e in ENTITIES}
    assert seen == final
    moved = [k for k, r in first.items() if final["deliveries"][k]["updated_at"] > r["updated_at"]]
    assert any(first[k]["status"] == "in_transit" for k in moved)
    assert any(first[k]["tip"] != final["deliveries"][k]["tip"] for k in moved)
    assert len(final["deliveries"]) > len(first)


def keyed(records: list[dict]) -> list[dict]:
    """Records with their id under `_id` (whatever the entity)."""
    return [{**r, "_id": next(v for k, v in r.items() if k.endswith("_id"))} for r in records]


def test_faults_and_deterministic_malformed_deliveries(sandbox_factory):
    faults = {"couriers": "malformed_rate=0.05"}
    sandbox = sandbox_factory(**COURIERS_ONLY, clock=END, faults=faults)
    with httpx.Client(base_url=sandbox.urls["couriers"], headers=TOKEN) as http:
        served = walk(http, "deliveries", limit=400)
        again = walk(http, "deliveries", limit=400)
        logged, truth = sandbox.recorded("couriers"), sandbox.truth["couriers"]
        sandbox.set_faults("couriers", rate_limit_rate=1.0, retry_after_s=4)
        limited = http.get("/v1/payouts")
        sandbox.set_faults("couriers", error_rate=1.0)
        failed = http.get("/v1/payouts")
    assert served == again
    assert logged == truth["malformed"]
    assert 150 < len(logged) < 330
    kinds = {m["delivery_id"]: m["kind"] for m in logged}
    assert sum(d["delivery_id"] is None for d in served) == Counter(kinds.values())["null_key"]
    assert len(served) == truth["deliveries"]["count"] + sum(
        k == "duplicate" for k in kinds.values()
    )
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "4")
    assert failed.status_code >= 500


def test_env_points_at_the_api_with_its_token(sandbox_factory):
    sandbox = sandbox_factory(**COURIERS_ONLY, couriers_token="other-token")
    env = sandbox.env()
    assert env["FERNWAY_COURIERS_URL"] == sandbox.urls["couriers"]
    assert env["FERNWAY_COURIERS_TOKEN"] == "other-token"
    headers = {"Authorization": f"Bearer {env['FERNWAY_COURIERS_TOKEN']}"}
    assert httpx.get(env["FERNWAY_COURIERS_URL"] + "/v1/payouts", headers=headers).is_success
