"""The load job: a bad file is set aside with a reason and never blocks the good ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import EndpointConnectionError

from fernway_analytics.defs.exports.jobs import handled_files
from fernway_analytics.defs.exports.loading import FILE_ENTITY
from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.warehouse import Warehouse
from fernway_devtools.sensors import evaluate_sensor, run_tags

SENSOR = "partner_exports_sensor"
JOB = "load_partner_exports_job"


def _retries(result: dg.ExecuteInProcessResult) -> int:
    return sum(e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY for e in result.all_events)


def _output_metadata(result: dg.ExecuteInProcessResult) -> dict:
    (output,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    return {k: v.value for k, v in output.step_output_data.metadata.items()}


class BrokenKeyBucket(ExportsBucket):
    """The exports bucket whose connection drops whenever `broken` is downloaded."""

    broken: str

    def read_bytes(self, key: str) -> bytes:
        if key == self.broken:
            raise EndpointConnectionError(endpoint_url=f"{self.s3.endpoint_url}/{key}")
        return super().read_bytes(key)


class CountingWarehouse(Warehouse):
    """The test's warehouse, counting its transactions (each one waits for the writer lock).

    On the class: Dagster runs the op with its own copy of the resource.
    """

    transactions: ClassVar[list[str]] = []

    @contextmanager
    def connection(self) -> Iterator[Any]:
        self.transactions.append(self.url)
        with super().connection() as con:
            yield con


def _materializations(result: dg.ExecuteInProcessResult) -> list[dg.AssetMaterialization]:
    return [
        e.event_specific_data.materialization
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    ]


def _run(defs, instance, request, **kwargs) -> dg.ExecuteInProcessResult:
    """Run what the sensor asked for, tagged as the daemon tags it."""
    return defs.resolve_job_def(JOB).execute_in_process(
        run_config=request.run_config,
        instance=instance,
        tags=run_tags(SENSOR, request),
        raise_on_error=False,
        **kwargs,
    )


def test_ten_good_files_load_and_three_corrupt_ones_are_set_aside_with_a_reason(
    bucket, defs, instance, warehouse
):
    good = bucket.copy_regular_files()
    parquet = bucket.body(good[0])
    corrupt = {
        bucket.put("partner_orders/dt=2026-08-11/empty.parquet", b""),
        bucket.put("partner_orders/dt=2026-08-11/csv.parquet", b"order_id,amount\npto_1,9.99\n"),
        bucket.put("partner_orders/dt=2026-08-11/half.parquet", parquet[: len(parquet) // 2]),
    }
    tick = evaluate_sensor(defs, instance, SENSOR, None)
    (request,) = tick.run_requests
    result = _run(defs, instance, request)

    assert result.success
    assert _retries(result) == 0  # a file that will never parse is not retried
    truth = bucket.sandbox.truth["s3"]["partner_orders"]
    loaded = warehouse.query_arrow(
        "select count(*) as n, cast(sum(amount) * 100 as bigint) as cents from raw.partner_orders"
    ).to_pylist()[0]
    assert loaded["n"] == truth["count"]
    assert loaded["cents"] == truth["amount_cents"]
    rejects = warehouse.query_arrow(
        "select record_key, reason, payload from raw.rejects where entity = ?", [FILE_ENTITY]
    ).to_pylist()
    assert {r["record_key"] for r in rejects} == corrupt
    assert {r["reason"] for r in rejects} == {"unreadable_file"}
    assert all(json.loads(r["payload"])["error"] for r in rejects)

    metadata = _output_metadata(result)
    assert metadata["files_loaded"] == len(good)
    assert metadata["files_set_aside"] == len(corrupt)
    assert all(key in metadata["set_aside"] for key in corrupt)
    warnings = [
        e.user_message
        for e in instance.all_logs(result.run_id)
        if e.level == 30 and "set aside" in e.user_message
    ]
    assert any(all(key in w for key in corrupt) for w in warnings)

    later = evaluate_sensor(defs, instance, SENSOR, tick.cursor)
    assert not later.run_requests  # the corrupt files are handled: never requested again


def test_a_missing_bucket_fails_the_run_at_once_without_retries(bucket, defs, instance):
    exports = defs.resources["exports"]
    gone = type(exports)(s3=exports.s3, bucket="no-such-exports-bucket")
    result = defs.resolve_job_def(JOB).execute_in_process(
        run_config={"ops": {"load_partner_exports": {"config": {"keys": ["a.parquet"]}}}},
        instance=instance,
        resources={"exports": gone},
        raise_on_error=False,
    )
    assert not result.success
    assert _retries(result) == 0
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert "NoSuchBucket" in failure.step_failure_data.error.message


def test_a_file_that_keeps_failing_does_not_stop_the_files_after_it(
    bucket, defs, instance, warehouse
):
    keys = bucket.copy_regular_files()
    tick = evaluate_sensor(defs, instance, SENSOR, None)
    (request,) = tick.run_requests
    exports = defs.resources["exports"]
    flaky = BrokenKeyBucket(s3=exports.s3, bucket=exports.bucket, broken=keys[2])
    result = _run(defs, instance, request, resources={"exports": flaky})

    assert not result.success
    assert _retries(result) == 3  # a connection error is what step retries are for
    others = [k for k in keys if k != keys[2]]
    assert handled_files(instance, result.run_id) == set(others)
    truth = bucket.sandbox.truth["s3"]["partner_orders"]
    (rows,) = warehouse.query_arrow("select count(*) as n from raw.partner_orders")["n"].to_pylist()
    assert rows == truth["count"] - truth["by_day"]["2026-08-03"]["count"]  # all but keys[2]
    (again,) = evaluate_sensor(defs, instance, SENSOR, tick.cursor).run_requests
    assert again.run_config["ops"]["load_partner_exports"]["config"]["keys"] == [keys[2]]


@pytest.fixture(params=["duckdb", "postgres"])
def either_warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """The test's DuckDB warehouse, or a fresh Postgres database; set before `defs` loads."""
    if request.param == "postgres":
        return Warehouse(url=request.getfixturevalue("postgres_warehouse"))
    return request.getfixturevalue("warehouse")


def test_a_run_writes_every_good_file_at_once_sets_the_bad_one_aside_and_a_rerun_adds_nothing(
    either_warehouse, bucket, defs, instance
):
    warehouse = either_warehouse
    good = bucket.copy_regular_files()
    no_amount = pq.read_table(pa.BufferReader(bucket.body(good[0]))).drop_columns(["amount"])
    sink = pa.BufferOutputStream()
    pq.write_table(no_amount, sink)
    bad = bucket.put("partner_orders/dt=2026-08-11/no_amount.parquet", sink.getvalue().to_pybytes())
    config = {"ops": {"load_partner_exports": {"config": {"keys": [*good[:5], bad, *good[5:]]}}}}
    counting = CountingWarehouse(url=warehouse.url)
    CountingWarehouse.transactions.clear()
    job = defs.resolve_job_def(JOB)
    totals = "select count(*) as n, cast(sum(amount) * 100 as bigint) as cents from "

    first = job.execute_in_process(
        run_config=config, instance=instance, resources={"warehouse": counting}
    )
    assert CountingWarehouse.transactions == [warehouse.url]  # one writer-lock wait in all
    (materialization,) = _materializations(first)
    meta = {k: v.value for k, v in materialization.metadata.items()}
    truth = bucket.sandbox.truth["s3"]["partner_orders"]
    assert (meta["files_loaded"], meta["rows_loaded"], meta["rows_rejected"]) == (
        len(good),
        truth["count"],
        0,
    )
    assert meta["order_dates"] == f"{min(truth['by_day'])} to {max(truth['by_day'])}"
    assert meta["files_set_aside"] == 1
    assert f"`{bad}`: `missing_field`" in meta["set_aside"]
    assert sorted(meta["source_files"]) == sorted([*good, bad])
    assert all(f"`{key}` | loaded" in meta["files"] for key in good)
    loaded = warehouse.query_arrow(totals + "raw.partner_orders").to_pylist()[0]
    assert loaded == {"n": truth["count"], "cents": truth["amount_cents"]}
    rejects = warehouse.query_arrow(
        "select entity, record_key, reason, field from raw.rejects"
    ).to_pylist()
    assert rejects == [
        {"entity": FILE_ENTITY, "record_key": bad, "reason": "missing_field", "field": "amount"}
    ]

    second = job.execute_in_process(run_config=config, instance=instance)  # a replay
    assert second.success
    (again,) = _materializations(second)
    assert again.metadata["rows_loaded"].value == truth["count"]
    assert warehouse.query_arrow(totals + "raw.partner_orders").to_pylist()[0] == loaded
    replayed = warehouse.query_arrow("select count(distinct order_id) as d from raw.partner_orders")
    assert replayed["d"].to_pylist() == [truth["count"]]
    assert warehouse.query_arrow("select count(*) as n from raw.rejects")["n"].to_pylist() == [1]
