"""Courier timesheet files: each agency's worked shifts per day, as CSV (rideforce) or Parquet
(urbanfleet), for the S3 stand-in. `corrupt` of them are unreadable on purpose (chosen from the
seed): cut mid-row, empty, or without the `courier_id` column."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fernway_sandbox.calendar import DAY_S
from fernway_sandbox.couriers import AGENCIES, NEVER, Fleet
from fernway_sandbox.partners import id_strings
from fernway_sandbox.truth import day_keys

BUCKET = "fernway-courier-timesheets"
FORMATS = {"rideforce": "csv", "urbanfleet": "parquet"}
CORRUPT_KINDS = ("truncated", "empty", "missing_column")
UTC_S = pa.timestamp("s", tz="UTC")
TIMESHEET_SCHEMA = pa.schema(
    [
        ("timesheet_id", pa.string()),
        ("agency", pa.string()),
        ("courier_id", pa.string()),
        ("shift_id", pa.string()),
        ("work_date", pa.date32()),
        ("clock_in", UTC_S),
        ("clock_out", UTC_S),
        ("break_minutes", pa.int32()),
        ("worked_minutes", pa.int32()),
    ]
)


@dataclass(frozen=True)
class TimesheetFile:
    """One file: where it goes, what it holds (shift positions) and how it is broken, if."""

    key: str
    day: dt.date
    agency: str
    shifts: np.ndarray
    corrupt: str | None = None


def utc_date(epoch: int) -> dt.date:
    """The UTC date of an epoch second."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date()


def timesheet_key(day: dt.date, agency: str, n: int = 0) -> str:
    """Object key of a day's file from an agency (n > 0: the n-th file sent again)."""
    suffix = f"_{n:03d}" if n else ""
    name = f"{agency}_{day:%Y%m%d}{suffix}.{FORMATS[agency]}"
    return f"timesheets/agency={agency}/dt={day.isoformat()}/{name}"


def worked(f: Fleet) -> tuple[np.ndarray, np.ndarray]:
    """(break minutes, worked minutes) of every shift (0 for cancelled ones)."""
    s = f.shifts
    minutes = np.where(s.ended_at != NEVER, (s.ended_at - s.started_at) // 60, 0)
    pause = np.select([minutes > 360, minutes > 240], [30, 15], 0)
    return pause, minutes - pause


def window_files(f: Fleet, seed: int, corrupt: int) -> list[TimesheetFile]:
    """One file per agency and day of the window; `corrupt` of them broken (seeded choice)."""
    s = f.shifts
    days = (f.end - f.start) // DAY_S
    day = (s.started_at - f.start) // DAY_S
    agency = f.couriers.agency[s.courier]
    done = s.ended_at != NEVER
    start = utc_date(f.start)
    files = [
        TimesheetFile(
            timesheet_key(start + dt.timedelta(days=d), name),
            start + dt.timedelta(days=d),
            name,
            np.flatnonzero(done & (day == d) & (agency == a)),
        )
        for d in range(days)
        for a, name in enumerate(AGENCIES)
    ]
    rng = np.random.default_rng([seed, 0x7153])
    broken = rng.choice(len(files), size=min(corrupt, len(files)), replace=False)
    for k, i in enumerate(sorted(broken.tolist())):
        kind = CORRUPT_KINDS[k % len(CORRUPT_KINDS)]
        files[i] = TimesheetFile(files[i].key, files[i].day, files[i].agency, files[i].shifts, kind)
    return files


def table(f: Fleet, idx: np.ndarray, agency: str) -> pa.Table:
    """The timesheet rows of shifts `idx`."""
    s = f.shifts
    pause, minutes = worked(f)
    seconds = [pa.array(x[idx], pa.int64()).cast(UTC_S) for x in (s.started_at, s.ended_at)]
    columns = [
        id_strings("tms_", idx + 1, 7),
        pa.array([agency] * len(idx), pa.string()),
        id_strings("cou_", s.courier[idx].astype(np.int64) + 1, 5),
        id_strings("shf_", idx + 1, 7),
        pa.array((s.started_at[idx] // DAY_S).astype(np.int32), pa.int32()).cast(pa.date32()),
        *seconds,
        pa.array(pause[idx], pa.int32()),
        pa.array(minutes[idx], pa.int32()),
    ]
    return pa.Table.from_arrays(columns, schema=TIMESHEET_SCHEMA)


def file_bytes(f: Fleet, file: TimesheetFile) -> bytes:
    """The file's content in its agency's format, broken as `file.corrupt` says."""
    data = table(f, file.shifts, file.agency)
    if file.corrupt == "empty":
        return b""
    if file.corrupt == "missing_column":
        data = data.drop_columns(["courier_id"])
    sink = io.BytesIO()
    if FORMATS[file.agency] == "csv":
        pacsv.write_csv(data, sink)
    else:
        pq.write_table(data, sink)
    body = sink.getvalue()
    if file.corrupt == "truncated":
        return cut(body, FORMATS[file.agency])
    return body


def cut(body: bytes, fmt: str) -> bytes:
    """Cut a file short: Parquet in half (no footer); CSV just after the first field of a
    middle row, so that row lacks columns and no whole-row prefix parses cleanly."""
    if fmt == "parquet" or body.count(b"\n") < 2:
        return body[: len(body) // 2]
    lines = body.split(b"\n")
    middle = max(1, (len(lines) - 1) // 2)
    head = b"\n".join(lines[:middle]) + b"\n"
    return head + lines[middle].split(b",")[0] + b","


def timesheet_truth(f: Fleet, files: list[TimesheetFile]) -> dict:
    """Rows and worked minutes per work day in the readable files (each shift counted once,
    however often sent), and every unreadable file with its kind."""
    good = [file.shifts for file in files if file.corrupt is None]
    rows = np.unique(np.concatenate(good)) if good else np.zeros(0, dtype=np.int64)
    _, minutes = worked(f)
    days = (f.end - f.start) // DAY_S
    day = (f.shifts.started_at[rows] - f.start) // DAY_S
    count = np.bincount(day, minlength=days).tolist()
    total = np.bincount(day, weights=minutes[rows], minlength=days).astype(np.int64).tolist()
    start = utc_date(f.start)
    return {
        "bucket": BUCKET,
        "files": len(files),
        "count": len(rows),
        "worked_minutes": int(minutes[rows].sum()),
        "by_day": {
            k: {"count": c, "worked_minutes": m}
            for k, c, m in zip(day_keys(start, days), count, total, strict=True)
        },
        "corrupt": [{"key": x.key, "kind": x.corrupt} for x in files if x.corrupt],
    }
