"""Courier timesheet files in the S3 stand-in: CSV and Parquet per agency and day matching the
truth and the courier app's shifts, seeded corrupt files, files sent again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import boto3
import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fernway_sandbox import ConfigError, Sandbox
from fernway_sandbox.pytest_plugin import SMALL
from fernway_sandbox.timesheets import TIMESHEET_SCHEMA

CLOCK = dt.datetime(2026, 8, 11, tzinfo=dt.UTC)


def s3_client(sandbox):
    env = sandbox.env()
    return boto3.client(
        "s3",
        endpoint_url=env["FERNWAY_S3_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def read(body: bytes, key: str) -> pa.Table:
    """A timesheet file as Arrow in the documented schema (raises when unreadable)."""
    if key.endswith(".csv"):
        options = pacsv.ConvertOptions(column_types=TIMESHEET_SCHEMA)
        table = pacsv.read_csv(io.BytesIO(body), convert_options=options)
    else:
        table = pq.read_table(io.BytesIO(body))
    if table.schema.names != TIMESHEET_SCHEMA.names:
        raise ValueError(f"{key}: columns {table.schema.names}")
    return table.cast(TIMESHEET_SCHEMA)


def timesheet_files(sandbox) -> dict[str, bytes]:
    s3, bucket = s3_client(sandbox), sandbox.env()["FERNWAY_S3_TIMESHEETS_BUCKET"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="timesheets/")
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def loadable(files: dict[str, bytes]) -> tuple[dict[str, pa.Table], set[str]]:
    tables, broken = {}, set()
    for key, body in files.items():
        try:
            tables[key] = read(body, key)
        except (pa.ArrowInvalid, ValueError):
            broken.add(key)
    return tables, broken


def test_one_csv_and_one_parquet_file_per_day_match_the_truth_and_the_shifts(sandbox_factory):
    sandbox = sandbox_factory(services=("s3", "couriers"), clock=CLOCK)
    assert sandbox.env()["FERNWAY_S3_TIMESHEETS_BUCKET"] == "fernway-courier-timesheets"
    files = timesheet_files(sandbox)
    truth = sandbox.truth["s3"]["timesheets"]
    assert len(files) == truth["files"] == 2 * sandbox.config.days
    assert "timesheets/agency=rideforce/dt=2026-08-01/rideforce_20260801.csv" in files
    assert "timesheets/agency=urbanfleet/dt=2026-08-01/urbanfleet_20260801.parquet" in files
    tables, broken = loadable(files)
    assert broken == set()
    rows = pa.concat_tables(tables.values()).to_pylist()
    assert len(rows) == len({r["timesheet_id"] for r in rows}) == truth["count"]
    assert sum(r["worked_minutes"] for r in rows) == truth["worked_minutes"]
    for day, expected in truth["by_day"].items():
        of_day = [r for r in rows if r["work_date"].isoformat() == day]
        assert (len(of_day), sum(r["worked_minutes"] for r in of_day)) == (
            expected["count"],
            expected["worked_minutes"],
        )
    headers = {"Authorization": f"Bearer {sandbox.config.couriers_token}"}
    api = sandbox.urls["couriers"] + "/v1/"
    shifts = {
        s["shift_id"]: s
        for s in httpx.get(api + "shifts", params={"limit": 5000}, headers=headers).json()["data"]
    }
    couriers = httpx.get(api + "couriers", params={"limit": 5000}, headers=headers).json()["data"]
    agency = {c["courier_id"]: c["agency"] for c in couriers}
    for r in rows:
        shift = shifts[r["shift_id"]]
        assert shift["status"] == "completed"
        assert (shift["courier_id"], agency[r["courier_id"]]) == (r["courier_id"], r["agency"])
        assert r["clock_in"].isoformat().replace("+00:00", "Z") == shift["started_at"]
        worked = (r["clock_out"] - r["clock_in"]).total_seconds() // 60 - r["break_minutes"]
        assert r["worked_minutes"] == worked
    worked_by_agency = [s for s in shifts.values() if s["status"] == "completed"]
    assert len(rows) == sum(agency[s["courier_id"]] is not None for s in worked_by_agency)


def test_the_corrupt_knob_breaks_that_many_files_each_listed_with_its_kind(sandbox_factory):
    sandbox = sandbox_factory(services=("s3",), timesheet_corrupt_files=5)
    tables, broken = loadable(timesheet_files(sandbox))
    truth = sandbox.truth["s3"]["timesheets"]
    assert broken == {c["key"] for c in truth["corrupt"]}
    assert len(broken) == 5
    assert {c["kind"] for c in truth["corrupt"]} == {"truncated", "empty", "missing_column"}
    assert sum(t.num_rows for t in tables.values()) == truth["count"]
    assert any(key.endswith(".csv") for key in broken)
    calm = Sandbox(dataclasses.replace(SMALL, services=("s3",))).truth["s3"]["timesheets"]
    assert calm["corrupt"] == []
    assert calm["count"] > truth["count"]


def test_a_file_sent_again_adds_a_key_but_no_rows_and_a_broken_resend_is_listed(sandbox_factory):
    sandbox = sandbox_factory(services=("s3",))
    before = sandbox.truth["s3"]["timesheets"]
    day = dt.date(2026, 8, 3)
    again = sandbox.call("s3", "put_timesheet", day, "urbanfleet")
    broken = sandbox.call("s3", "put_timesheet", day, "rideforce", "truncated")
    assert again == "timesheets/agency=urbanfleet/dt=2026-08-03/urbanfleet_20260803_001.parquet"
    assert broken == "timesheets/agency=rideforce/dt=2026-08-03/rideforce_20260803_001.csv"
    files = timesheet_files(sandbox)
    tables, unreadable = loadable(files)
    assert unreadable == {broken}
    original = again.replace("_001", "")
    assert tables[again].equals(tables[original])
    after = sandbox.truth["s3"]["timesheets"]
    assert after["files"] == before["files"] + 2 == len(files)
    assert (after["count"], after["by_day"]) == (before["count"], before["by_day"])
    assert after["corrupt"] == [{"key": broken, "kind": "truncated"}]
    with pytest.raises(ConfigError, match="no timesheet file"):
        sandbox.call("s3", "put_timesheet", dt.date(2027, 1, 1), "urbanfleet")
    with pytest.raises(ConfigError, match="corrupt must be one of"):
        sandbox.call("s3", "put_timesheet", day, "urbanfleet", "scrambled")
