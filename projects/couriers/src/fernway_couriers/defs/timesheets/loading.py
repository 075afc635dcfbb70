"""Read one timesheet file (CSV or Parquet) and split its lines into valid rows and rejects.

A file no retry can load (it does not parse, lacks a column, or a Parquet column has the wrong
type) raises `UnloadableFile`; a bad line of a readable file is a reject with a reason code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fernway_core.rejects import REJECTS_SCHEMA, Reason, reject_sql

SOURCE = "timesheets"
LINE_ENTITY = "timesheet_entries"  # the entity of a reject that stands for one line
FILE_ENTITY = "timesheet_files"  # the entity of a reject that stands for a whole file
FORMATS = {".csv": "csv", ".parquet": "parquet"}
UTC = pa.timestamp("us", tz="UTC")


def _text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


# Each column of a timesheet line and the Arrow kind a Parquet file must give it.
KINDS: dict[str, Callable[[pa.DataType], bool]] = {
    "timesheet_id": _text,
    "agency": _text,
    "courier_id": _text,
    "shift_id": _text,
    "work_date": pa.types.is_date,
    "clock_in": pa.types.is_timestamp,
    "clock_out": pa.types.is_timestamp,
    "break_minutes": pa.types.is_integer,
    "worked_minutes": pa.types.is_integer,
}
COLUMNS = tuple(KINDS)
TYPED = {  # the columns cast from text, and their SQL type
    "work_date": "date",
    "clock_in": "timestamptz",
    "clock_out": "timestamptz",
    "break_minutes": "integer",
    "worked_minutes": "integer",
}
NOT_NULL = ("agency", "courier_id", *TYPED)  # besides the key; shift_id may be empty
ENTRIES_SCHEMA = pa.schema(  # timesheets.entries, without the `_loaded_at` stamp
    [
        ("timesheet_id", pa.string()),
        ("agency", pa.string()),
        ("courier_id", pa.string()),
        ("shift_id", pa.string()),
        ("work_date", pa.date32()),
        ("clock_in", UTC),
        ("clock_out", UTC),
        ("break_minutes", pa.int32()),
        ("worked_minutes", pa.int32()),
        ("worked_hours", pa.float64()),
        ("source_file", pa.string()),
        ("sent_at", UTC),
    ]
)
_RULES: tuple[
    tuple[str, Reason, str, str | None], ...
] = (  # (broken when, reason, field, offending value): the first that holds is reported
    ("timesheet_id is null", Reason.NULL_KEY, "timesheet_id", None),
    *((f"{c} is null", Reason.NULL_FIELD, c, None) for c in NOT_NULL),
    *((f"{c}_t is null", Reason.WRONG_TYPE, c, c) for c in TYPED),
    ("break_minutes_t < 0", Reason.NEGATIVE_AMOUNT, "break_minutes", "break_minutes"),
    ("worked_minutes_t < 0", Reason.NEGATIVE_AMOUNT, "worked_minutes", "worked_minutes"),
    ("clock_out_t < clock_in_t", Reason.NEGATIVE_AMOUNT, "clock_out", "clock_out"),
)
_REJECT = (
    "case "
    + " ".join(
        f"when {when} then {reject_sql(reason, field, value)}"
        for when, reason, field, value in _RULES
    )
    + " end"
)
_AS_TEXT = ", ".join(f"cast({c} as varchar) as {c}" for c in COLUMNS)
_CASTS = ", ".join(f"try_cast({c} as {kind}) as {c}_t" for c, kind in TYPED.items())
_PAYLOAD = "to_json(struct_pack(line, " + ", ".join(COLUMNS) + "))::varchar"


class UnloadableFile(Exception):
    """A timesheet file that no retry can load; it is rejected with a reason, not raised."""

    def __init__(
        self,
        key: str,
        reason: Reason,
        detail: str,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(f"{key}: {detail}")
        self.key, self.reason, self.detail = key, reason, detail
        self.field, self.value = field, value  # the column to blame and its offending type


def file_format(key: str) -> str:
    """`csv` or `parquet`, from the key's suffix; another suffix is `unreadable_file`."""
    for suffix, fmt in FORMATS.items():
        if key.lower().endswith(suffix):
            return fmt
    raise UnloadableFile(key, Reason.UNREADABLE_FILE, "not a .csv or .parquet file")


def parse_timesheet(body: bytes, key: str) -> pa.Table:
    """The file's bytes as Arrow (CSV: every column as text, typed line by line later).

    Empty, cut-short or wrongly formatted bytes are `unreadable_file`. A CSV has no footer to
    prove it whole: one that does not end with a line break is taken as cut short (a cut
    inside a line's last field would otherwise parse); a cut exactly after a line break
    cannot be told from a whole file.
    """
    fmt = file_format(key)
    if fmt == "csv" and body and not body.endswith(b"\n"):
        raise UnloadableFile(key, Reason.UNREADABLE_FILE, "CSV does not end with a line break")
    try:
        if fmt == "parquet":
            return pq.read_table(pa.BufferReader(body))
        options = pacsv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()), strings_can_be_null=True
        )
        return pacsv.read_csv(pa.BufferReader(body), convert_options=options)
    except (pa.ArrowException, OSError) as exc:  # parsing bytes in memory: the bytes are bad
        detail = " ".join(str(exc).split())[:300]
        raise UnloadableFile(key, Reason.UNREADABLE_FILE, detail) from exc


def check_columns(table: pa.Table, key: str) -> None:
    """Every column is present; in Parquet, each of its kind (text, date, timestamp, integer)."""
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        detail = f"timesheet is missing column(s) {', '.join(missing)}"
        raise UnloadableFile(key, Reason.MISSING_FIELD, detail, field=", ".join(missing))
    if file_format(key) != "parquet":
        return  # CSV columns are text; their values are cast line by line
    for column, is_kind in KINDS.items():
        kind = table.schema.field(column).type
        if not is_kind(kind) and not pa.types.is_null(kind):
            detail = f"column {column} has type {kind}"
            raise UnloadableFile(key, Reason.WRONG_TYPE, detail, field=column, value=str(kind))


def split_timesheet(table: pa.Table, key: str, sent_at: dt.datetime) -> tuple[pa.Table, pa.Table]:
    """Valid lines (typed, with `source_file` and `sent_at`) and rejects of one file.

    A timesheet id twice in one file is kept once: its last line, the agency's later word.
    """
    check_columns(table, key)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("sheet", table.select(list(COLUMNS)))
        con.execute(
            f"create temp table lines as select row_number() over () as line, {_AS_TEXT} from sheet"
        )
        con.execute(
            f"create temp table checked as select *, {_REJECT} as reject "
            f"from (select *, {_CASTS} from lines)"
        )
        valid = con.sql(
            "select timesheet_id, agency, courier_id, shift_id, work_date_t as work_date, "
            "clock_in_t as clock_in, clock_out_t as clock_out, "
            "break_minutes_t as break_minutes, worked_minutes_t as worked_minutes, "
            "worked_minutes_t / 60.0 as worked_hours, ? as source_file, ? as sent_at "
            "from checked where reject is null "
            "qualify row_number() over (partition by timesheet_id order by line desc) = 1 "
            "order by line",
            params=[key, sent_at],
        ).to_arrow_table()
        rejects = con.sql(
            f"select ? as source, ? as entity, timesheet_id as record_key, reject.reason, "
            f"reject.field, reject.value, {_PAYLOAD} as payload, ? as partition_key "
            "from checked where reject is not null order by line",
            params=[SOURCE, LINE_ENTITY, key],
        ).to_arrow_table()
    finally:
        con.close()
    return valid.cast(ENTRIES_SCHEMA), rejects.cast(REJECTS_SCHEMA)
