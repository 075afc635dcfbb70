"""Malformed records land in raw.rejects with a reason code; nothing is lost or dropped."""

from collections import Counter

import dagster as dg

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import DAYS, START, range_tags

ORDERS = dg.AssetKey(["raw", "marketplace_orders"])


def test_malformed_orders_land_in_rejects_and_the_check_fails_visibly(
    sandbox_factory, monkeypatch, platform_env, instance, warehouse
):
    sandbox = sandbox_factory(
        scale=3000, start=START, days=DAYS, faults={"marketplace": "malformed_rate=0.05"}
    )
    use_sandbox(monkeypatch, sandbox)
    defs = load_location("fernway_analytics.definitions")
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        asset_selection=[ORDERS],
        tags=range_tags(START, DAYS),
        raise_on_error=False,
    )
    assert result.success, "rejects must not fail the run: the reconciliation still balances"
    kinds = {m["kind"] for m in sandbox.truth["malformed"]}
    assert {"null_key", "wrong_type", "negative_amount", "missing_field"} <= kinds
    rejects = warehouse.query_arrow(
        "select record_key, reason, field, value from raw.rejects where entity = 'orders'"
    ).to_pylist()
    bad = [m for m in sandbox.truth["malformed"] if m["kind"] not in ("duplicate", "added_field")]
    assert len(rejects) == len(bad)
    # the codes are the sandbox's malformed kinds: one group per kind, not per bad value
    assert Counter(r["reason"] for r in rejects) == Counter(m["kind"] for m in bad)
    for reject in rejects:
        if reject["reason"] == "negative_amount":
            assert reject["field"] == "amount"
            assert reject["value"].startswith("-")
        if reject["reason"] == "missing_field":
            assert (reject["field"], reject["value"]) == ("status", None)
    loaded = warehouse.query_arrow("select count(*) as n from raw.marketplace_orders").to_pylist()
    total = sandbox.truth["marketplace"]["orders"]["count"]
    assert loaded[0]["n"] + len(rejects) == total
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["reconciles_with_source"].passed
    rejected = evaluations["no_rejected_records"]
    assert rejected.passed is False
    assert rejected.severity == dg.AssetCheckSeverity.WARN
    assert rejected.metadata["by_reason"].value == dict(Counter(m["kind"] for m in bad))
