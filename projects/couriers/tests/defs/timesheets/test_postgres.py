"""The same loads on the Postgres warehouse: totals equal the truth, a resend counted once."""

from __future__ import annotations

import datetime as dt

from fernway_core.warehouse import Warehouse
from tests.defs.timesheets.helpers import check_passed, materialization, requested, run_files, tick


def test_timesheets_load_into_postgres_to_the_truth(
    platform_env, postgres_warehouse, bucket, ts_defs, instance
):
    warehouse = Warehouse(url=postgres_warehouse)
    first = tick(ts_defs, instance, None)
    loaded = run_files(ts_defs, instance, requested(first))
    assert loaded.success
    assert materialization(loaded)["files_rejected"] == len(bucket.truth()["corrupt"])
    good = next(k for k in requested(first) if k.endswith("urbanfleet_20260804.parquet"))
    resent = bucket.sandbox.call("s3", "put_timesheet", dt.date(2026, 8, 4), "urbanfleet")
    bucket.copy_from_sandbox(resent)
    assert requested(tick(ts_defs, instance, first.cursor)) == [resent]
    again = run_files(ts_defs, instance, [resent, good])
    assert again.success
    assert check_passed(again) == {
        "no_duplicate_lines": True,
        "no_overlapping_lines": True,
        "worked_hours_within_a_day": True,
        "no_rejected_timesheets": False,
    }
    truth = bucket.truth()
    (got,) = warehouse.query_arrow(
        "select count(*) as n, sum(worked_minutes) as minutes from timesheets.entries"
    ).to_pylist()
    assert (got["n"], got["minutes"]) == (truth["count"], truth["worked_minutes"])
    (moved,) = warehouse.query_arrow(
        "select count(*) as n from timesheets.entries where source_file = ?", [good]
    )["n"].to_pylist()
    assert moved == 0  # its lines belong to the newer file now
