"""A timesheet file's bad lines become rejects with a reason code; a file that cannot load at
all raises one `UnloadableFile` naming the reason (and the column, when one is to blame)."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from fernway_core.rejects import REJECTS_SCHEMA, Reason
from fernway_couriers.defs.timesheets.loading import (
    COLUMNS,
    ENTRIES_SCHEMA,
    UnloadableFile,
    parse_timesheet,
    split_timesheet,
)
from fernway_sandbox.timesheets import TIMESHEET_SCHEMA
from tests.defs.timesheets.conftest import to_bytes

CSV = "timesheets/agency=rideforce/dt=2026-08-03/rideforce_20260803.csv"
PARQUET = "timesheets/agency=urbanfleet/dt=2026-08-03/urbanfleet_20260803.parquet"
SENT = dt.datetime(2026, 8, 4, 1, tzinfo=dt.UTC)
IN = dt.datetime(2026, 8, 3, 9, tzinfo=dt.UTC)


def _line(n: int, **changes: object) -> dict:
    row = {
        "timesheet_id": f"tms_{n:07d}",
        "agency": "rideforce",
        "courier_id": "cou_00001",
        "shift_id": f"shf_{n:07d}",
        "work_date": IN.date(),
        "clock_in": IN + dt.timedelta(hours=3 * n),
        "clock_out": IN + dt.timedelta(hours=3 * n + 2),
        "break_minutes": 0,
        "worked_minutes": 120,
    }
    return {**row, **changes}


def _table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TIMESHEET_SCHEMA)


def _csv(text: str) -> pa.Table:
    return parse_timesheet(text.encode() + b"\n", CSV)


HEADER = ",".join(COLUMNS)
NOON, ONE, ELEVEN = (f"2026-08-03 {h}:00:00Z" for h in (12, 13, 11))
GOOD = "tms_1,rideforce,cou_1,shf_1,2026-08-03,2026-08-03 09:00:00Z,2026-08-03 11:30:00Z,0,150"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_whole_file_parses_and_its_lines_keep_their_values(fmt):
    key = CSV if fmt == "csv" else PARQUET
    table = parse_timesheet(to_bytes(_table([_line(1), _line(2)]), fmt), key)
    valid, rejects = split_timesheet(table, key, SENT)
    assert rejects.num_rows == 0
    assert valid.schema == ENTRIES_SCHEMA
    got = valid.to_pylist()
    assert [r["timesheet_id"] for r in got] == ["tms_0000001", "tms_0000002"]
    assert got[0]["clock_in"] == IN + dt.timedelta(hours=3)
    assert got[0]["work_date"] == IN.date()
    assert got[0]["worked_hours"] == 2.0
    assert {r["source_file"] for r in got} == {key}
    assert {r["sent_at"] for r in got} == {SENT}


def test_bad_csv_lines_are_rejected_with_codes_and_good_lines_kept():
    text = "\n".join(
        [
            HEADER,
            GOOD,
            f",rideforce,cou_1,shf_2,2026-08-03,{NOON},{ONE},0,60",
            f"tms_3,rideforce,,shf_3,2026-08-03,{NOON},{ONE},0,60",
            f"tms_4,rideforce,cou_1,shf_4,2026-08-03,noon,{ONE},0,60",
            f"tms_5,rideforce,cou_1,shf_5,2026-08-03,{NOON},{ONE},0,-60",
            f"tms_6,rideforce,cou_1,shf_6,2026-08-03,{NOON},{ELEVEN},0,60",
            f"tms_7,rideforce,cou_1,shf_7,2026-08-03,{NOON},{ONE},x,60",
        ]
    )
    valid, rejects = split_timesheet(_csv(text), CSV, SENT)
    assert valid["timesheet_id"].to_pylist() == ["tms_1"]
    got = [(r["record_key"], r["reason"], r["field"], r["value"]) for r in rejects.to_pylist()]
    assert got == [
        (None, "null_key", "timesheet_id", None),
        ("tms_3", "null_field", "courier_id", None),
        ("tms_4", "wrong_type", "clock_in", "noon"),
        ("tms_5", "negative_amount", "worked_minutes", "-60"),
        ("tms_6", "negative_amount", "clock_out", "2026-08-03 11:00:00Z"),
        ("tms_7", "wrong_type", "break_minutes", "x"),
    ]
    assert rejects.schema == REJECTS_SCHEMA
    assert set(rejects["partition_key"].to_pylist()) == {CSV}
    payload = json.loads(rejects["payload"][0].as_py())
    assert payload["line"] == 2
    assert payload["courier_id"] == "cou_1"


def test_a_timesheet_id_twice_in_one_file_keeps_its_last_line():
    text = "\n".join([HEADER, GOOD, GOOD.replace(",150", ",140")])
    valid, rejects = split_timesheet(_csv(text), CSV, SENT)
    assert valid["worked_minutes"].to_pylist() == [140]
    assert rejects.num_rows == 0


def test_a_file_missing_a_column_is_unloadable_naming_the_column():
    body = to_bytes(_table([_line(1)]).drop_columns(["courier_id"]), "parquet")
    with pytest.raises(UnloadableFile) as bad:
        split_timesheet(parse_timesheet(body, PARQUET), PARQUET, SENT)
    assert (bad.value.reason, bad.value.field) == (Reason.MISSING_FIELD, "courier_id")


def test_a_parquet_column_of_the_wrong_type_is_unloadable_naming_column_and_type():
    table = _table([_line(1)])
    table = table.set_column(8, "worked_minutes", pa.array(["120"]))
    with pytest.raises(UnloadableFile) as bad:
        split_timesheet(parse_timesheet(to_bytes(table, "parquet"), PARQUET), PARQUET, SENT)
    assert (bad.value.reason, bad.value.field, bad.value.value) == (
        Reason.WRONG_TYPE,
        "worked_minutes",
        "string",
    )


WHOLE_CSV = to_bytes(_table([_line(n) for n in range(1, 40)]), "csv")
WHOLE_PARQUET = to_bytes(_table([_line(n) for n in range(1, 40)]), "parquet")


@pytest.mark.parametrize(
    ("key", "body"),
    [
        pytest.param(CSV, b"", id="csv-empty"),
        pytest.param(CSV, WHOLE_CSV[: len(WHOLE_CSV) // 2], id="csv-cut-mid-row"),
        pytest.param(PARQUET, b"", id="parquet-empty"),
        pytest.param(PARQUET, WHOLE_PARQUET[: len(WHOLE_PARQUET) // 2], id="parquet-cut"),
        pytest.param(PARQUET, WHOLE_CSV, id="csv-named-parquet"),
        pytest.param(CSV.replace(".csv", ".xlsx"), WHOLE_CSV, id="other-suffix"),
    ],
)
def test_bytes_that_are_not_a_whole_file_are_unreadable(key, body):
    with pytest.raises(UnloadableFile) as bad:
        parse_timesheet(body, key)
    assert bad.value.reason == Reason.UNREADABLE_FILE
    assert bad.value.detail
    assert "\n" not in bad.value.detail  # one line
