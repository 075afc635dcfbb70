"""The file-arrival sensor asks for each timesheet file version once; the runs load good files
to the sandbox's truth and reject corrupt ones with a reason, without blocking the others.

Real sandbox S3 (moto), real sensor ticks against a real instance, real job runs, real DuckDB.
"""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pyarrow as pa

from fernway_couriers.defs.timesheets.sensors import LOOKBACK_DAYS, MAX_ATTEMPTS
from fernway_devtools.sensors import run_tags
from fernway_sandbox.timesheets import TIMESHEET_SCHEMA
from tests.conftest import START
from tests.defs.timesheets.conftest import to_bytes
from tests.defs.timesheets.helpers import (
    JOB,
    SENSOR,
    check_passed,
    materialization,
    requested,
    run_files,
    run_request,
    tick,
)

REASONS = {"truncated": "unreadable_file", "empty": "unreadable_file"}
REASONS["missing_column"] = "missing_field"
COMPARED = ["timesheet_id", "agency", "courier_id", "shift_id", "work_date", "worked_minutes"]


def _load_everything(bucket, ts_defs, instance):
    """First tick, its files loaded in one run (quicker than one run each); returns it."""
    first = tick(ts_defs, instance, None)
    assert run_files(ts_defs, instance, requested(first)).success
    return first


def _file_rejects(warehouse) -> dict[str, str]:
    rows = warehouse.query_arrow(
        "select record_key, reason from raw.rejects "
        "where source = 'timesheets' and entity = 'timesheet_files'"
    ).to_pylist()
    return {r["record_key"]: r["reason"] for r in rows}


def _lines(warehouse, key: str) -> list[dict]:
    columns = ", ".join(COMPARED)
    return warehouse.query_arrow(
        f"select {columns} from timesheets.entries where source_file = ? order by timesheet_id",
        [key],
    ).to_pylist()


def _good_key(bucket, fmt: str) -> str:
    corrupt = {c["key"] for c in bucket.truth()["corrupt"]}
    return next(k for k in bucket.list_keys() if k not in corrupt and k.endswith(fmt))


def test_each_file_once_good_lines_equal_the_truth_corrupt_files_rejected(
    bucket, ts_defs, instance, warehouse
):
    keys = bucket.list_keys()
    truth = bucket.truth()
    corrupt = {c["key"]: c["kind"] for c in truth["corrupt"] if c["key"] in keys}
    assert sorted(set(corrupt.values())) == ["empty", "missing_column", "truncated"]

    first = tick(ts_defs, instance, None)
    assert sorted(requested(first)) == keys  # one run per file
    assert all(
        len(r.run_config["ops"]["timesheets__entries"]["config"]["files"]) == 1
        for r in first.run_requests
    )
    results = [run_request(ts_defs, instance, r) for r in first.run_requests]
    assert all(r.success for r in results)  # a corrupt file fails no run

    got = warehouse.query_arrow(
        "select work_date, count(*) as n, sum(worked_minutes) as minutes "
        "from timesheets.entries group by work_date"
    ).to_pylist()
    by_day = {r["work_date"].isoformat(): (r["n"], r["minutes"]) for r in got}
    expected = {
        day: (v["count"], v["worked_minutes"]) for day, v in truth["by_day"].items() if v["count"]
    }
    assert by_day == expected
    assert sum(n for n, _ in by_day.values()) == truth["count"]
    for key in keys:  # each good file's lines are the file's, value for value
        if key in corrupt:
            continue
        file = bucket.table(key).cast(TIMESHEET_SCHEMA).select(COMPARED)
        assert _lines(warehouse, key) == file.sort_by("timesheet_id").to_pylist()
    loaded = {
        r["source_file"][-4:]
        for r in warehouse.query_arrow(
            "select distinct source_file from timesheets.entries"
        ).to_pylist()
    }
    assert loaded == {".csv", "quet"}  # both formats took the good path

    assert _file_rejects(warehouse) == {k: REASONS[kind] for k, kind in corrupt.items()}
    ledger = warehouse.query_arrow(
        "select source_file, outcome, reason from timesheets.loaded_files"
    ).to_pylist()
    assert {r["source_file"]: r["reason"] for r in ledger} == {
        k: REASONS.get(corrupt.get(k, "")) for k in keys
    }
    last = check_passed(results[-1])
    assert last == {
        "no_duplicate_lines": True,
        "no_overlapping_lines": True,
        "worked_hours_within_a_day": True,
        "no_rejected_timesheets": False,
    }

    again = tick(ts_defs, instance, first.cursor)
    assert requested(again) == []
    assert again.skip_message == "no new timesheet files"


def test_a_file_sent_again_later_is_picked_up_once_and_never_counted_twice(
    bucket, ts_defs, instance, warehouse
):
    first = _load_everything(bucket, ts_defs, instance)
    original = _good_key(bucket, ".parquet")
    before = _lines(warehouse, original)
    day = dt.date.fromisoformat(original.split("dt=")[1][:10])
    resent = bucket.sandbox.call("s3", "put_timesheet", day, "urbanfleet")
    bucket.copy_from_sandbox(resent)

    later = tick(ts_defs, instance, first.cursor)
    assert requested(later) == [resent]
    (request,) = later.run_requests
    assert request.run_key.startswith(f"{resent}@")
    result = run_request(ts_defs, instance, request)
    assert result.success
    assert materialization(result)["files_loaded"] == 1
    (total,) = warehouse.query_arrow("select count(*) as n from timesheets.entries")["n"]
    assert total.as_py() == bucket.truth()["count"]  # the same lines, counted once
    assert _lines(warehouse, resent) == before  # the newer file holds them now
    assert _lines(warehouse, original) == []
    (taken,) = warehouse.query_arrow(
        "select lines_taken_over from timesheets.loaded_files where source_file = ?", [resent]
    )["lines_taken_over"]
    assert taken.as_py() == len(before)
    assert check_passed(result)["no_duplicate_lines"]

    # the same request again (a daemon restart) and a rerun of the run load nothing twice
    assert run_request(ts_defs, instance, request).success
    rerun = run_files(ts_defs, instance, [resent, original])
    assert materialization(rerun)["files_already_handled"] == 2
    assert _lines(warehouse, resent) == before
    assert _lines(warehouse, original) == []  # the older file loaded again leaves them be
    assert requested(tick(ts_defs, instance, later.cursor)) == []


def test_the_same_tick_evaluated_twice_gives_the_same_run_keys(bucket, ts_defs, instance):
    one, two = tick(ts_defs, instance, None), tick(ts_defs, instance, None)
    assert [r.run_key for r in one.run_requests] == [r.run_key for r in two.run_requests]
    assert len({r.run_key for r in one.run_requests}) == len(bucket.list_keys())


def test_a_corrupt_file_dropped_later_is_rejected_and_blocks_nothing(
    bucket, ts_defs, instance, warehouse
):
    first = _load_everything(bucket, ts_defs, instance)
    good = _good_key(bucket, ".csv")
    day = dt.date.fromisoformat(good.split("dt=")[1][:10])
    broken = bucket.sandbox.call("s3", "put_timesheet", day, "rideforce", "truncated")
    fine = bucket.sandbox.call("s3", "put_timesheet", day, "rideforce")
    for key in (broken, fine):
        bucket.copy_from_sandbox(key)
    later = tick(ts_defs, instance, first.cursor)
    assert sorted(requested(later)) == sorted([broken, fine])
    assert all(run_request(ts_defs, instance, r).success for r in later.run_requests)
    assert _file_rejects(warehouse)[broken] == "unreadable_file"
    assert _lines(warehouse, fine)  # the good one loaded, whatever the order
    (total,) = warehouse.query_arrow("select count(*) as n from timesheets.entries")["n"]
    assert total.as_py() == bucket.truth()["count"]


def test_a_replaced_file_replaces_its_lines_and_a_corrupt_replacement_keeps_them(
    bucket, ts_defs, instance, warehouse
):
    first = _load_everything(bucket, ts_defs, instance)
    key = _good_key(bucket, ".csv")
    table = bucket.table(key).cast(TIMESHEET_SCHEMA)
    fixed = table.slice(1).set_column(
        8, "worked_minutes", pa.array([1] * (table.num_rows - 1), pa.int32())
    )
    v2 = to_bytes(fixed, "csv")
    bucket.put(key, v2)

    second = tick(ts_defs, instance, first.cursor)
    assert requested(second) == [key]
    (request,) = second.run_requests
    assert request.run_key != next(r.run_key for r in first.run_requests if key in r.run_key)
    assert run_request(ts_defs, instance, request).success
    lines = _lines(warehouse, key)
    assert len(lines) == table.num_rows - 1  # the dropped line is gone
    assert {r["worked_minutes"] for r in lines} == {1}

    bucket.put(key, v2[: len(v2) // 2])  # an upload gone wrong
    third = tick(ts_defs, instance, second.cursor)
    assert requested(third) == [key]
    assert run_request(ts_defs, instance, third.run_requests[0]).success
    assert _file_rejects(warehouse)[key] == "unreadable_file"
    assert _lines(warehouse, key) == lines  # the last readable version stays
    (ledger,) = warehouse.query_arrow(
        "select outcome, lines_loaded from timesheets.loaded_files where source_file = ?", [key]
    ).to_pylist()
    assert ledger == {"outcome": "rejected", "lines_loaded": len(lines)}

    bucket.put(key, v2)  # sent whole again: loaded, and its reject cleared
    fourth = tick(ts_defs, instance, third.cursor)
    assert requested(fourth) == [key]
    assert run_request(ts_defs, instance, fourth.run_requests[0]).success
    assert key not in _file_rejects(warehouse)
    assert _lines(warehouse, key) == lines


def test_a_file_for_a_day_before_the_lookback_is_left_to_the_catch_up_run(
    bucket, ts_defs, instance, warehouse
):
    first = _load_everything(bucket, ts_defs, instance)
    newest = json.loads(first.cursor)["newest_day"]
    assert newest == (START + dt.timedelta(days=2)).isoformat()
    source = _good_key(bucket, ".csv")
    old_day = START - dt.timedelta(days=LOOKBACK_DAYS + 5)
    old = f"timesheets/agency=rideforce/dt={old_day}/rideforce_{old_day:%Y%m%d}.csv"
    table = bucket.table(source).cast(TIMESHEET_SCHEMA).slice(0, 2)
    ids = pa.array(["tms_old_1", "tms_old_2"])
    bucket.put(old, to_bytes(table.set_column(0, "timesheet_id", ids), "csv"))

    assert requested(tick(ts_defs, instance, first.cursor)) == []  # not listed: cheap ticks
    catch_up = run_files(ts_defs, instance)  # no config: every file the ledger lacks
    assert catch_up.success
    metadata = materialization(catch_up)
    assert (metadata["files_loaded"], metadata["files_rejected"]) == (1, 0)
    assert [r["timesheet_id"] for r in _lines(warehouse, old)] == ["tms_old_1", "tms_old_2"]


def test_a_cancelled_run_is_requested_again_under_a_new_run_key(bucket, ts_defs, instance):
    first = tick(ts_defs, instance, None)
    request, data = first.run_requests[0], first
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run = instance.create_run_for_job(
            ts_defs.resolve_job_def(JOB),
            run_config=request.run_config,
            tags=run_tags(SENSOR, request),
        )
        instance.report_run_canceled(run)
        data = tick(ts_defs, instance, data.cursor)
        if attempt == MAX_ATTEMPTS:  # given up: the run failure alert has said so
            assert data.run_requests == []
            break
        (retry,) = data.run_requests
        assert retry.run_key == f"{first.run_requests[0].run_key}#{attempt + 1}"
        assert retry.tags["fernway/retry_of"] == run.run_id
        assert requested(data) == requested(dg.SensorResult(run_requests=[request]))
        request = retry
