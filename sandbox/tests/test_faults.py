"""Fault injection: transient faults at the configured rates, deterministic malformed records."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest
from support import all_orders, client

from fernway_sandbox import ConfigError, Faults
from fernway_sandbox.faults import faults_from_env, parse_cli_faults, parse_faults

MARKETPLACE_ONLY = {"services": ("marketplace",), "scale": 2000, "days": 5}


def statuses(api: httpx.Client, n: int) -> Counter:
    return Counter(api.get("/v1/cities").status_code for _ in range(n))


def test_fault_specs_parse_from_env_and_cli_with_cli_winning():
    env = {"FERNWAY_SANDBOX_FAULTS_MARKETPLACE": "error_rate=0.2,latency_ms=20"}
    merged = parse_cli_faults(
        ["marketplace:error_rate=0.5", "s3:truncate_rate=0.1"],
        faults_from_env(["marketplace", "s3"], env),
    )
    assert merged["marketplace"] == Faults(error_rate=0.5, latency_ms=20)
    assert merged["s3"] == Faults(truncate_rate=0.1)


@pytest.mark.parametrize("spec", ["bogus=1", "error_rate=abc", "error_rate=1.5", "error_rate"])
def test_invalid_fault_specs_raise_config_errors(spec):
    with pytest.raises(ConfigError):
        parse_faults(spec)


def test_errors_and_rate_limits_occur_at_roughly_the_configured_rates(sandbox_factory):
    faults = {"marketplace": "error_rate=0.2,rate_limit_rate=0.1"}
    with client(sandbox_factory(faults=faults, **MARKETPLACE_ONLY)) as api:
        seen = statuses(api, 600)
    errors = sum(n for code, n in seen.items() if code >= 500)
    assert 0.14 < errors / 600 < 0.26
    assert 0.05 < seen[429] / 600 < 0.15
    assert seen[200] + errors + seen[429] == 600


def test_rate_limited_responses_carry_retry_after(sandbox_factory):
    faults = {"marketplace": Faults(rate_limit_rate=1.0, retry_after_s=3)}
    with client(sandbox_factory(faults=faults, **MARKETPLACE_ONLY)) as api:
        response = api.get("/v1/orders")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


def test_truncated_bodies_are_cut_json_with_matching_content_length(sandbox_factory):
    faults = {"marketplace": "truncate_rate=0.5"}
    with client(sandbox_factory(faults=faults, **MARKETPLACE_ONLY)) as api:
        responses = [api.get("/v1/orders", params={"limit": 50}) for _ in range(200)]
    broken = 0
    for response in responses:
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == len(response.content)
        try:
            json.loads(response.content)
        except json.JSONDecodeError:
            broken += 1
    assert 60 < broken < 140


def test_latency_delays_every_request(sandbox_factory):
    with client(
        sandbox_factory(faults={"marketplace": "latency_ms=80"}, **MARKETPLACE_ONLY)
    ) as api:
        began = time.perf_counter()
        statuses(api, 5)
    assert time.perf_counter() - began >= 0.4


def test_set_faults_switches_faults_at_runtime(sandbox_factory):
    sandbox = sandbox_factory(**MARKETPLACE_ONLY)
    with client(sandbox) as api:
        assert statuses(api, 20) == {200: 20}
        sandbox.set_faults("marketplace", error_rate=1.0)
        assert all(code >= 500 for code in statuses(api, 20))
        sandbox.set_faults("marketplace")
        assert statuses(api, 20) == {200: 20}


def malformed_run(sandbox_factory) -> tuple[list[dict], list[dict], dict]:
    sandbox = sandbox_factory(faults={"marketplace": "malformed_rate=0.05"}, **MARKETPLACE_ONLY)
    with client(sandbox) as api:
        served = all_orders(api, limit=250)
    return served, sandbox.malformed, sandbox.truth


def test_malformed_records_are_the_same_in_two_runs_and_listed_in_the_truth(sandbox_factory):
    served_a, logged_a, truth_a = malformed_run(sandbox_factory)
    served_b, logged_b, truth_b = malformed_run(sandbox_factory)
    assert served_a == served_b
    assert logged_a == logged_b == truth_a["malformed"] == truth_b["malformed"]
    assert 60 < len(logged_a) < 140
    assert {m["kind"] for m in logged_a} == {
        "null_key",
        "wrong_type",
        "duplicate",
        "negative_amount",
        "added_field",
        "missing_field",
    }
    assert len(served_a) == 2000 + sum(m["kind"] == "duplicate" for m in logged_a)


def test_each_malformed_kind_is_served_as_described(sandbox_factory):
    served, logged, _ = malformed_run(sandbox_factory)
    kinds = {m["order_id"]: m["kind"] for m in logged}
    ids = Counter(o["order_id"] for o in served)
    assert sum(o["order_id"] is None for o in served) == Counter(kinds.values())["null_key"]
    for order_id, kind in kinds.items():
        record = next((o for o in served if o["order_id"] == order_id), None)
        if kind == "duplicate":
            assert ids[order_id] == 2
        elif kind == "wrong_type":
            assert record["quantity"] == "two" or record["amount"] == "abc"
        elif kind == "negative_amount":
            assert record["amount"].startswith("-")
        elif kind == "added_field":
            assert record["promo_code"] == "FERN10"
        elif kind == "missing_field":
            assert "status" not in record


def test_truth_describes_true_data_whatever_the_faults(sandbox_factory):
    calm = sandbox_factory(**MARKETPLACE_ONLY).truth
    noisy = sandbox_factory(
        faults={"marketplace": "error_rate=0.5,malformed_rate=0.1"}, **MARKETPLACE_ONLY
    ).truth
    assert calm["marketplace"] == noisy["marketplace"]
    assert calm["malformed"] == []
    assert noisy["malformed"]
