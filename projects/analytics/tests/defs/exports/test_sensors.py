"""The S3 sensor asks for every export file exactly once, and again only for what a run missed.

Real sandbox S3 (moto), real sensor ticks against a real instance, real job runs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dagster as dg
import httpx
import pytest
from dagster_aws.s3 import S3Resource
from pydantic import PrivateAttr

from fernway_analytics.defs.exports import sensors
from fernway_analytics.defs.exports.jobs import load_partner_exports_job
from fernway_analytics.defs.exports.resources import ExportFile, ExportsBucket
from fernway_analytics.defs.exports.sensors import (
    LATE_WINDOW,
    MAX_ATTEMPTS,
    MAX_FILES_PER_RUN,
    advance,
    load_state,
    new_files,
    partner_exports_sensor,
)
from fernway_devtools.sensors import evaluate_sensor, run_tags
from fernway_sandbox.middleware import CONTROL_PATH
from fernway_sandbox.services.s3 import REGION

SENSOR = "partner_exports_sensor"
JOB = "load_partner_exports_job"


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None) -> Any:
    return evaluate_sensor(defs, instance, SENSOR, cursor)


def _keys(data: Any) -> list[str]:
    return [
        key
        for request in data.run_requests or []
        for key in request.run_config["ops"]["load_partner_exports"]["config"]["keys"]
    ]


def _run(defs: dg.Definitions, instance: dg.DagsterInstance, request: dg.RunRequest, **kw: Any):
    """Run what the sensor asked for, tagged as the daemon tags it."""
    return defs.resolve_job_def(JOB).execute_in_process(
        run_config=request.run_config,
        instance=instance,
        tags=run_tags(SENSOR, request),
        raise_on_error=False,
        **kw,
    )


class HidingBucket(ExportsBucket):
    """The exports bucket with some keys not listed yet, like an upload still in progress."""

    hidden: list[str]

    def list_files(self) -> list[ExportFile]:
        return [f for f in super().list_files() if f.key not in self.hidden]


class FailingBucket(ExportsBucket):
    """After `reads` downloads, switches the sandbox's S3 to answering every request with 5xx."""

    reads: int
    faults_url: str
    _count: int = PrivateAttr(default=0)

    def read_bytes(self, key: str) -> bytes:
        if self._count == self.reads:
            httpx.put(self.faults_url, content="error_rate=1").raise_for_status()
        self._count += 1
        return super().read_bytes(key)


def _with_exports(defs: dg.Definitions, exports: ExportsBucket) -> dg.Definitions:
    """The sensor and job with another `exports` resource (everything else as loaded)."""
    return dg.Definitions(
        sensors=[partner_exports_sensor],
        jobs=[load_partner_exports_job],
        resources={**defs.resources, "exports": exports},
    )


def test_each_file_is_requested_once_and_a_newer_upload_on_the_next_tick(bucket, defs, instance):
    keys = bucket.copy_regular_files()
    first = _tick(defs, instance, None)
    assert sorted(_keys(first)) == sorted(keys)
    again = _tick(defs, instance, first.cursor)
    assert _keys(again) == []
    late = bucket.put("partner_orders/dt=2026-08-11/partner_orders_20260811.parquet", b"x")
    assert _keys(_tick(defs, instance, again.cursor)) == [late]


def test_files_sharing_one_last_modified_are_each_requested_once_across_runs(
    bucket, defs, instance, monkeypatch
):
    # 5 files in one second, 2 per run: the cap splits one LastModified over three ticks.
    monkeypatch.setattr(sensors, "MAX_FILES_PER_RUN", 2)
    keys = [f"partner_orders/dt=2026-08-01/part_{n}.parquet" for n in range(5)]
    stamp = bucket.put_in_one_second(dict.fromkeys(keys, b"x"))
    batches, cursor = [], None
    for _ in range(4):
        data = _tick(defs, instance, cursor)
        batches.append(_keys(data))
        cursor = data.cursor
    assert [len(b) for b in batches] == [2, 2, 1, 0]
    assert sorted(k for b in batches for k in b) == keys
    assert json.loads(cursor)["last_modified"] == stamp.isoformat()


def test_more_files_than_one_run_takes_are_requested_over_ticks_oldest_first(
    bucket, defs, instance
):
    older = [f"partner_orders/bulk/{n:04d}.parquet" for n in range(MAX_FILES_PER_RUN + 5)]
    for key in older:
        bucket.put(key, b"x")
    newest = bucket.put_in_one_second({"partner_orders/bulk/zz_newest.parquet": b"x"})
    first = _tick(defs, instance, None)
    second = _tick(defs, instance, first.cursor)
    third = _tick(defs, instance, second.cursor)
    assert len(_keys(first)) == MAX_FILES_PER_RUN
    assert len(first.run_requests) == len(second.run_requests) == 1
    requested = _keys(first) + _keys(second)
    assert sorted(requested) == sorted([*older, "partner_orders/bulk/zz_newest.parquet"])
    assert _keys(second)[-1] == "partner_orders/bulk/zz_newest.parquet"  # oldest first
    assert _keys(third) == []
    assert json.loads(second.cursor)["last_modified"] == newest.isoformat()


def test_a_file_listed_late_with_an_older_last_modified_is_requested_once(bucket, defs, instance):
    # A multipart upload's LastModified is when it began, but S3 lists it only once complete:
    # a slow upload shows up after a newer file moved the watermark past its LastModified.
    slow = bucket.put("partner_orders/dt=2026-08-01/slow.parquet", b"x")
    fast_stamp = bucket.put_in_one_second({"partner_orders/dt=2026-08-02/fast.parquet": b"x"})
    assert bucket.last_modified()[slow] < fast_stamp
    exports = defs.resources["exports"]
    uploading = HidingBucket(s3=exports.s3, bucket=exports.bucket, hidden=[slow])
    first = _tick(_with_exports(defs, uploading), instance, None)
    assert _keys(first) == ["partner_orders/dt=2026-08-02/fast.parquet"]
    second = _tick(defs, instance, first.cursor)
    assert _keys(second) == [slow]
    assert _keys(_tick(defs, instance, second.cursor)) == []


def _file(key: str, at: dt.datetime) -> ExportFile:
    return ExportFile(key, at, etag="e")


def test_a_file_appearing_beyond_the_late_window_is_not_requested_and_the_cursor_forgets():
    # The decision, pinned: the cursor remembers only files within LATE_WINDOW of the watermark
    # (bounded size); a file listed for the first time with an older LastModified is not seen.
    now = dt.datetime(2026, 8, 2, 12, tzinfo=dt.UTC)
    old = _file("old.parquet", now - 2 * LATE_WINDOW)
    state = advance(load_state(None), [old])
    state = advance(state, [_file("new.parquet", now)])
    assert list(state["seen"]) == [now.isoformat()]
    within = _file("within.parquet", now - LATE_WINDOW / 2)
    beyond = _file("beyond.parquet", now - LATE_WINDOW - dt.timedelta(seconds=1))
    assert new_files([old, beyond, within, _file("new.parquet", now)], state) == [within]


def test_the_same_batch_gets_the_same_run_key_so_dagster_runs_it_once(bucket, defs, instance):
    bucket.copy_regular_files()
    one, two = _tick(defs, instance, None), _tick(defs, instance, None)
    assert [r.run_key for r in one.run_requests] == [r.run_key for r in two.run_requests]
    bucket.put("partner_orders/dt=2026-08-11/extra.parquet", b"x")
    other = _tick(defs, instance, None)
    assert other.run_requests[0].run_key != one.run_requests[0].run_key


def test_a_run_that_fails_halfway_has_only_its_unfinished_files_requested_again(
    bucket, defs, instance, warehouse
):
    keys = bucket.copy_regular_files()
    first = _tick(defs, instance, None)
    (request,) = first.run_requests
    exports = defs.resources["exports"]
    failing = FailingBucket(
        s3=S3Resource(endpoint_url=exports.s3.endpoint_url, region_name=REGION, max_attempts=1),
        bucket=exports.bucket,
        reads=4,
        faults_url=bucket.sandbox.urls["s3"] + CONTROL_PATH,
    )
    failed = _run(defs, instance, request, resources={"exports": failing})
    assert not failed.success
    retries = [e for e in failed.all_events if e.event_type.value == "STEP_UP_FOR_RETRY"]
    assert len(retries) == 3  # an S3 5xx is what step retries are for
    bucket.sandbox.set_faults("s3")  # S3 is back

    second = _tick(defs, instance, first.cursor)
    (retry,) = second.run_requests
    assert _keys(second) == keys[4:]  # the 4 files loaded before the fault are not asked again
    assert retry.run_key != request.run_key  # else Dagster would skip it as already run
    assert retry.tags["fernway/retry_of"] == failed.run_id
    assert _keys(_tick(defs, instance, first.cursor)) == keys[4:]  # same tick, same request
    assert _tick(defs, instance, first.cursor).run_requests[0].run_key == retry.run_key
    rerun = _run(defs, instance, retry)
    assert rerun.success
    assert _keys(_tick(defs, instance, second.cursor)) == []

    truth = bucket.sandbox.truth["s3"]["partner_orders"]
    got = warehouse.query_arrow(
        "select count(*) as n, count(distinct order_id) as d, "
        "cast(sum(amount) * 100 as bigint) as cents from raw.partner_orders"
    ).to_pylist()[0]
    assert got == {"n": truth["count"], "d": truth["count"], "cents": truth["amount_cents"]}
    loads = [
        key
        for run in (failed, rerun)
        for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        for key in e.asset_materialization.metadata["source_files"].value
    ]
    assert sorted(loads) == sorted(keys)  # each file loaded exactly once over both runs


@pytest.mark.parametrize("attempt", [1, MAX_ATTEMPTS])
def test_a_cancelled_run_has_its_files_requested_again_up_to_max_attempts(
    bucket, defs, instance, attempt
):
    keys = bucket.copy_regular_files()
    first = _tick(defs, instance, None)
    (request,) = first.run_requests
    run = instance.create_run_for_job(
        defs.resolve_job_def(JOB), run_config=request.run_config, tags=run_tags(SENSOR, request)
    )
    instance.report_run_canceled(run)
    state = json.loads(first.cursor)
    state["pending"][0]["attempt"] = attempt
    second = _tick(defs, instance, json.dumps(state))
    if attempt < MAX_ATTEMPTS:
        assert sorted(_keys(second)) == sorted(keys)
        assert second.run_requests[0].tags["fernway/attempt"] == str(attempt + 1)
    else:  # given up: the run failure alert has already said so, once per failed run
        assert _keys(second) == []
        assert json.loads(second.cursor)["pending"] == []
