"""Each check of timesheets/entries fails on purpose, through a real run of the job."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa
import pytest

from fernway_devtools.pytest_plugin import failed_check
from fernway_sandbox.timesheets import TIMESHEET_SCHEMA
from tests.defs.timesheets.conftest import to_bytes
from tests.defs.timesheets.helpers import check_passed, run_files

ASSET = "timesheets/entries"


def _good_csv(bucket) -> str:
    corrupt = {c["key"] for c in bucket.truth()["corrupt"]}
    return next(k for k in bucket.list_keys() if k not in corrupt and k.endswith(".csv"))


def _variant(bucket, source: str, name: str, **columns: pa.Array) -> tuple[str, pa.Table]:
    """A CSV beside `source` holding its lines with some columns replaced; uploaded."""
    table = bucket.table(source).cast(TIMESHEET_SCHEMA)
    for column, values in columns.items():
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, values.cast(table.schema.field(column).type))
    key = source.rsplit("/", 1)[0] + f"/{name}.csv"
    bucket.put(key, to_bytes(table, "csv"))
    return key, table


def _run(ts_defs, instance, files: list[str]) -> dg.ExecuteInProcessResult:
    result = run_files(ts_defs, instance, files)
    assert result.success  # a check failing fails no run: the checks are not blocking
    return result


@pytest.mark.fails_check(ASSET, "no_duplicate_lines")
def test_lines_sent_again_under_new_timesheet_ids_fail_no_duplicate_lines(
    bucket, ts_defs, instance
):
    source = _good_csv(bucket)
    n = bucket.table(source).num_rows
    renumbered = pa.array([f"tms_again_{i}" for i in range(n)])
    again, _ = _variant(bucket, source, "renumbered", timesheet_id=renumbered)
    result = _run(ts_defs, instance, [source, again])
    failed = failed_check(result, ASSET, "no_duplicate_lines")
    assert failed.metadata["duplicated_ids"].value == n  # each shift_id twice
    assert check_passed(result)["worked_hours_within_a_day"]


@pytest.mark.fails_check(ASSET, "no_overlapping_lines")
def test_a_courier_in_two_lines_at_once_fails_no_overlapping_lines(bucket, ts_defs, instance):
    source = _good_csv(bucket)
    n = bucket.table(source).num_rows
    ids = pa.array([f"tms_twin_{i}" for i in range(n)])
    twin, _ = _variant(bucket, source, "twin", timesheet_id=ids, shift_id=pa.nulls(n))
    result = _run(ts_defs, instance, [source, twin])
    failed = failed_check(result, ASSET, "no_overlapping_lines")
    assert failed.metadata["overlaps"].value == n
    assert check_passed(result)["no_duplicate_lines"]  # no id twice: only the times tell


@pytest.mark.fails_check(ASSET, "worked_hours_within_a_day")
def test_a_line_of_25_hours_fails_worked_hours_within_a_day(bucket, ts_defs, instance):
    source = _good_csv(bucket)
    n = bucket.table(source).num_rows
    minutes = pa.array([25 * 60] + [60] * (n - 1))
    key, _ = _variant(bucket, source, "long", worked_minutes=minutes)
    result = _run(ts_defs, instance, [key])
    failed = failed_check(result, ASSET, "worked_hours_within_a_day")
    assert failed.metadata["lines_out_of_range"].value == 1
    assert failed.metadata["max_worked_hours"].value == 25.0


@pytest.mark.fails_check(ASSET, "no_rejected_timesheets")
def test_a_corrupt_file_fails_no_rejected_timesheets_and_a_clean_load_passes(
    bucket, ts_defs, instance
):
    clean = _run(ts_defs, instance, [_good_csv(bucket)])
    assert all(check_passed(clean).values())
    corrupt = bucket.truth()["corrupt"][0]["key"]
    result = _run(ts_defs, instance, [corrupt])
    failed = failed_check(result, ASSET, "no_rejected_timesheets")
    assert failed.severity == dg.AssetCheckSeverity.WARN
    assert failed.metadata["rejected"].value == 1
