"""`quality_alert_sensor`: each alert file once, malformed ones set aside with a reason."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from fernway_couriers.defs.quality.checks import CHECK_NAME
from fernway_couriers.defs.quality.resources import QualityAlertInbox
from fernway_couriers.defs.quality.sensors import quality_alert_sensor

PAYOUTS = dg.AssetKey(["couriers", "payout_reconciliation"])
ALERT = {
    "asset": "couriers/payout_reconciliation",
    "reason": "payouts out by a cent after the late deliveries",
    "raised_at": "2026-08-14T03:00:00+00:00",
}


def drop(inbox: QualityAlertInbox, name: str, body: object) -> Path:
    """An alert file in the inbox: JSON for a dict, raw text for a str."""
    path = inbox.path / name
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def tick(
    inbox: QualityAlertInbox, instance: dg.DagsterInstance, cursor: str | None = None
) -> dg.SensorResult:
    """One evaluation of the sensor."""
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"quality_alerts": inbox}
    )
    result = quality_alert_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_an_alert_file_requests_one_remediation_run_and_moves_to_processed(inbox, instance):
    drop(inbox, "payouts.json", ALERT)
    result = tick(inbox, instance)
    (request,) = result.run_requests or []
    assert request.run_key
    assert request.run_key.startswith("quality-alert-")
    assert request.asset_selection == [PAYOUTS]
    assert request.asset_check_keys is None  # every check of the mart: GX and dbt tests
    assert request.tags["fernway/quality_alert"] == "payouts.json"
    assert request.tags["fernway/alert_reason"] == ALERT["reason"]
    assert not (inbox.path / "payouts.json").exists()
    assert json.loads((inbox.path / "processed" / "payouts.json").read_text()) == ALERT

    assert tick(inbox, instance, result.cursor).run_requests == []  # nothing new: nothing asked


def test_the_same_alert_dropped_again_is_refused_as_a_duplicate(inbox, instance):
    drop(inbox, "payouts.json", ALERT)
    first = tick(inbox, instance)
    shutil.copy(inbox.path / "processed" / "payouts.json", inbox.path / "payouts.json")
    again = tick(inbox, instance, first.cursor)
    assert again.run_requests == []
    assert (inbox.path / "rejected" / "payouts.json").exists()
    reason = (inbox.path / "rejected" / "payouts.json.reason").read_text().splitlines()
    assert reason[0] == "duplicate"
    assert first.run_requests[0].run_key in reason[1]  # type: ignore[index]
    # a new alert about the same mart (raised later) is a new run, its file kept beside the first
    drop(inbox, "payouts.json", {**ALERT, "raised_at": "2026-08-15T03:00:00+00:00"})
    later = tick(inbox, instance, again.cursor)
    assert len(later.run_requests or []) == 1
    assert (inbox.path / "processed" / "payouts.1.json").exists()


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("cut.json", '{"asset": "couriers/payout_reconciliation", "reas', "bad_json"),
        ("deep.json", "[" * 50_000, "bad_json"),
        ("list.json", [ALERT], "not_an_object"),
        ("no_reason.json", {k: v for k, v in ALERT.items() if k != "reason"}, "missing_field"),
        ("typo.json", {**ALERT, "assets": ["x"]}, "unknown_field"),
        ("orders.json", {**ALERT, "asset": "analytics/orders"}, "unknown_asset"),
        ("naive.json", {**ALERT, "raised_at": "2026-08-14T03:00:00"}, "wrong_type"),
        ("empty_reason.json", {**ALERT, "reason": "  "}, "wrong_type"),
        ("alert.txt", ALERT, "not_json_file"),
        ("big.json", {**ALERT, "reason": "x" * 70_000}, "too_large"),
    ],
)
def test_a_malformed_file_is_set_aside_with_its_reason_and_blocks_no_other(
    inbox, instance, name, body, code
):
    drop(inbox, name, body)
    drop(inbox, "good.json", ALERT)
    result = tick(inbox, instance)
    assert [r.tags["fernway/quality_alert"] for r in result.run_requests or []] == ["good.json"]
    assert (inbox.path / "rejected" / name).exists()
    assert not (inbox.path / name).exists()
    assert (inbox.path / "rejected" / f"{name}.reason").read_text().splitlines()[0] == code
    assert (inbox.path / "processed" / "good.json").exists()


def test_a_file_still_being_written_waits_for_the_next_tick(platform_env, instance):
    inbox = QualityAlertInbox(directory=str(platform_env / "quality_alerts"), settle_seconds=60)
    path = drop(inbox, "fresh.json", ALERT)
    assert tick(inbox, instance).run_requests == []
    assert path.exists()
    old = time.time() - 120
    os.utime(path, (old, old))
    assert len(tick(inbox, instance).run_requests or []) == 1


def test_an_alert_run_rebuilds_the_broken_mart_and_its_checkpoint_passes(
    marts, quality_defs, inbox, instance
):
    marts.execute("update couriers.payout_reconciliation set status = 'paid'")
    drop(inbox, "payouts.json", ALERT)
    (request,) = tick(inbox, instance).run_requests or []
    job = quality_defs.resolve_job_def("data_quality_remediation_job")
    result = job.execute_in_process(
        instance=instance, asset_selection=request.asset_selection, tags=request.tags
    )
    assert result.success
    (materialized,) = result.get_asset_materialization_events()
    assert materialized.asset_key == PAYOUTS
    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.asset_key, evaluation.check_name, evaluation.passed) == (
        PAYOUTS,
        CHECK_NAME,
        True,
    )
    statuses = marts.query_arrow("select distinct status from couriers.payout_reconciliation")
    assert "paid" not in statuses.column("status").to_pylist()
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    assert run.tags["fernway/alert_asset"] == "couriers/payout_reconciliation"
