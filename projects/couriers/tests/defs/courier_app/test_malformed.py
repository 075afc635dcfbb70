"""Malformed deliveries land in raw.rejects with reason codes (an exact copy as `duplicate`, an
undeclared field as `undeclared_field`), never in courier_app.deliveries."""

from __future__ import annotations

from collections import Counter

import dagster as dg

from fernway_couriers.defs.courier_app.assets import DRIFT_IDS_SHOWN
from tests.defs.courier_app.conftest import courier_warehouse, load, metadata

REASON = {"added_field": "undeclared_field"}  # the sandbox's kind -> the reject's reason code


def test_malformed_deliveries_are_rejected_with_reasons_and_match_the_truth(
    malformed_sandbox, app_defs, instance
):
    sandbox = malformed_sandbox
    result = load(app_defs, instance)
    assert result.success, "rejects do not fail the run: the reconciliation still balances"
    truth = sandbox.truth["couriers"]
    malformed = truth["malformed"]
    kinds = Counter(m["kind"] for m in malformed)
    assert {"null_key", "wrong_type", "negative_amount", "missing_field"} <= set(kinds)
    assert {"duplicate", "added_field"} <= set(kinds)
    assert sandbox.recorded("couriers") == malformed  # every one was served to this load

    warehouse = courier_warehouse()
    rejects = warehouse.query_arrow(
        "select record_key, reason, field, value from raw.rejects "
        "where source = 'courier_app' and entity = 'deliveries' order by record_key"
    ).to_pylist()
    reasons = Counter(REASON.get(m["kind"], m["kind"]) for m in malformed)
    assert Counter(r["reason"] for r in rejects) == reasons
    keyed = sorted(m["delivery_id"] for m in malformed if m["kind"] != "null_key")
    assert sorted(r["record_key"] for r in rejects if r["record_key"]) == keyed
    for reject in rejects:
        if reject["reason"] == "negative_amount":
            assert reject["field"] == "fee"
            assert reject["value"].startswith("-")
        if reject["reason"] == "missing_field":
            assert (reject["field"], reject["value"]) == ("status", None)
        if reject["reason"] == "wrong_type":
            assert reject["field"] in ("fee", "distance_m")
        if reject["reason"] == "duplicate":  # the copy; the first one is merged
            assert (reject["field"], reject["value"]) == ("delivery_id", reject["record_key"])
        if reject["reason"] == "undeclared_field":
            assert (reject["field"], reject["value"]) == ("promo_code", "FERN10")
    copies = sorted(m["delivery_id"] for m in malformed if m["kind"] == "duplicate")
    loaded = warehouse.query_arrow(
        "select count(*) as n, count(*) filter (where list_contains(?, delivery_id)) as bad, "
        "count(*) filter (where list_contains(?, delivery_id)) as copied "
        "from courier_app.deliveries",
        [sorted(set(keyed) - set(copies)), copies],
    ).to_pylist()[0]
    assert loaded["bad"] == 0
    assert loaded["copied"] == len(copies)  # each duplicated delivery is merged once
    # nothing dropped: every delivery is merged or rejected, a copy's original is merged
    assert loaded["n"] + len(rejects) - len(copies) == truth["deliveries"]["count"]

    meta = metadata(result, "deliveries")
    assert meta["records_rejected"] == len(rejects)
    assert meta["duplicates_collapsed"] == 0  # the copies are rejects, not collapsed
    added = sorted(m["delivery_id"] for m in malformed if m["kind"] == "added_field")
    assert meta["undeclared_fields"] == {"promo_code": len(added)}
    shown = meta["undeclared_field_ids"]["promo_code"]
    assert set(shown) <= set(added)
    assert len(shown) == min(len(added), DRIFT_IDS_SHOWN)
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    assert evaluations[("courier_app/deliveries", "reconciles_with_api")].passed
    assert evaluations[("courier_app/deliveries", "keys_unique_and_not_null")].passed
    rejected = evaluations[("courier_app/deliveries", "no_rejected_records")]
    assert rejected.passed is False
    assert rejected.severity == dg.AssetCheckSeverity.WARN
    assert rejected.metadata["by_reason"].value == dict(reasons)

    assert load(app_defs, instance, checks=False).success  # a rerun keeps one reject each
    again = warehouse.query_arrow(
        "select count(*) as n from raw.rejects where source = 'courier_app'"
    ).to_pylist()[0]["n"]
    assert again == len(rejects)
