"""Write timesheet files to the warehouse: each file's lines, rejects and ledger row, and a run's
files in ONE transaction (`write_files`), so a killed run leaves every file of it wholly loaded
or not at all, and the run opens the warehouse once, not once per file.

Decisions, pinned by tests:
- A line is identified by `timesheet_id` and belongs to the newest file holding it (by S3
  `LastModified`, then key): an agency sending a day again under a new key takes the lines over
  from the older file (never counted twice); an older file loaded later leaves them be.
- A key replaced by new content (new ETag) is loaded again: its lines are replaced by the new
  version's. A replacement that cannot be read is rejected and leaves the lines of the last
  readable version in place (an upload gone wrong never wipes good data); a readable file with
  no lines is how an agency withdraws a file.
- The ledger `timesheets.loaded_files` holds, per key, the version (ETag) last handled: a run
  asked for a version already handled does nothing, so reruns and re-sent requests never load
  a file twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fernway_core.rejects import REJECTS_SCHEMA, REJECTS_TABLE, stamp
from fernway_core.warehouse import Replacement, Transaction, Warehouse
from fernway_couriers.defs.timesheets.loading import (
    ENTRIES_SCHEMA,
    FILE_ENTITY,
    SOURCE,
    UTC,
    UnloadableFile,
    parse_timesheet,
    split_timesheet,
)
from fernway_couriers.defs.timesheets.resources import TimesheetBody

ENTRIES_TABLE = "timesheets.entries"
LEDGER_TABLE = "timesheets.loaded_files"
LEDGER_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("etag", pa.string()),
        ("sent_at", UTC),
        ("size_bytes", pa.int64()),
        ("outcome", pa.string()),  # loaded | rejected
        ("reason", pa.string()),  # the reject's reason code when rejected
        ("detail", pa.string()),
        ("lines_read", pa.int64()),
        ("lines_loaded", pa.int64()),  # lines of this file now in timesheets.entries
        ("lines_rejected", pa.int64()),
        ("lines_kept_by_newer", pa.int64()),  # lines a newer file already holds
        ("lines_taken_over", pa.int64()),  # lines moved here from older files
        ("run_id", pa.string()),
    ]
)
_NEWER = "(sent_at > ? or (sent_at = ? and source_file > ?))"


@dataclass(frozen=True)
class ParsedFile:
    """One file version read and split (no warehouse needed): its valid lines and rejects, or
    why the whole file cannot be loaded."""

    file: TimesheetBody
    lines_read: int
    valid: pa.Table
    rejects: pa.Table
    unloadable: UnloadableFile | None = None


def parse_file(file: TimesheetBody) -> ParsedFile:
    """Parse and check one file version; an unreadable one is marked, not raised."""
    try:
        parsed = parse_timesheet(file.body, file.key)
        valid, rejects = split_timesheet(parsed, file.key, file.last_modified)
    except UnloadableFile as bad:
        nothing = ENTRIES_SCHEMA.empty_table(), REJECTS_SCHEMA.empty_table()
        return ParsedFile(file, 0, *nothing, unloadable=bad)
    return ParsedFile(file, parsed.num_rows, valid, rejects)


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file version (one row of the ledger)."""

    source_file: str
    etag: str
    sent_at: dt.datetime
    size_bytes: int
    outcome: str
    reason: str | None
    detail: str | None
    lines_read: int
    lines_loaded: int
    lines_rejected: int
    lines_kept_by_newer: int
    lines_taken_over: int
    run_id: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the entries, ledger and rejects tables when missing (nothing is deleted)."""
    now = _now()
    warehouse.replace_many(
        [
            Replacement(table, stamp(schema.empty_table(), now), "1 = 0")
            for table, schema in (
                (ENTRIES_TABLE, ENTRIES_SCHEMA),
                (LEDGER_TABLE, LEDGER_SCHEMA),
                (REJECTS_TABLE, REJECTS_SCHEMA),
            )
        ]
    )


def handled_versions(warehouse: Warehouse) -> dict[str, str]:
    """The ETag last handled (loaded or rejected) of every key in the ledger."""
    rows = warehouse.query_arrow(f"select source_file, etag from {LEDGER_TABLE}").to_pylist()
    return {r["source_file"]: r["etag"] for r in rows}


def write_files(
    warehouse: Warehouse, parsed: Sequence[ParsedFile], run_id: str
) -> list[FileOutcome]:
    """Write parsed files in order, in ONE transaction (each sees the lines of the ones before)."""
    if not parsed:
        return []
    with warehouse.transaction() as tx:
        return [write_file(tx, p, run_id) for p in parsed]


def _ledger(outcome: FileOutcome) -> Replacement:
    row = pa.Table.from_pylist([asdict(outcome)], schema=LEDGER_SCHEMA)
    return Replacement(LEDGER_TABLE, stamp(row, _now()), "source_file = ?", [outcome.source_file])


def _holders(tx: Transaction, file: TimesheetBody, ids: list[str]) -> dict[str, bool]:
    """Each id of `ids` other files hold, and whether the file holding it is newer."""
    if not ids:
        return {}
    sent, key = file.last_modified, file.key
    rows = tx.query_arrow(
        f"select timesheet_id, bool_or{_NEWER} as newer from {ENTRIES_TABLE} "
        "where source_file <> ? and timesheet_id = any(?) group by timesheet_id",
        [sent, sent, key, key, ids],
    ).to_pylist()
    return {r["timesheet_id"]: bool(r["newer"]) for r in rows}


def write_file(tx: Transaction, parsed_file: ParsedFile, run_id: str) -> FileOutcome:
    """Write one parsed file version; an unreadable one is rejected (the module's decisions)."""
    file = parsed_file.file
    if parsed_file.unloadable is not None:
        return reject_file(tx, file, parsed_file.unloadable, run_id)
    valid, rejects = parsed_file.valid, parsed_file.rejects
    holders = _holders(tx, file, valid["timesheet_id"].to_pylist())
    newer = [i for i, is_newer in holders.items() if is_newer]
    older = [i for i, is_newer in holders.items() if not is_newer]
    if newer:
        valid = valid.filter(pc.invert(pc.is_in(valid["timesheet_id"], pa.array(newer))))
    where: str = "source_file = ?"
    params: list[Any] = [file.key]
    if older:  # the older files' copies of these lines give way
        where, params = "source_file = ? or timesheet_id = any(?)", [file.key, older]
    outcome = FileOutcome(
        file.key,
        file.etag,
        file.last_modified,
        file.size,
        "loaded",
        None,
        None,
        parsed_file.lines_read,
        valid.num_rows,
        rejects.num_rows,
        len(newer),
        len(older),
        run_id,
    )
    now = _now()
    tx.replace_many(
        [
            Replacement(ENTRIES_TABLE, stamp(valid, now), where, params),
            Replacement(
                REJECTS_TABLE,
                stamp(rejects, now),
                "source = ? and partition_key = ?",
                [SOURCE, file.key],
            ),
            _ledger(outcome),
        ]
    )
    return outcome


def reject_file(
    tx: Transaction, file: TimesheetBody, bad: UnloadableFile, run_id: str
) -> FileOutcome:
    """One reject naming the file and the reason; the key's loaded lines, if any, stay."""
    reject = {
        "source": SOURCE,
        "entity": FILE_ENTITY,
        "record_key": file.key,
        "reason": str(bad.reason),
        "field": bad.field,
        "value": bad.value,
        "payload": json.dumps({"file": file.key, "etag": file.etag, "error": bad.detail}),
        "partition_key": file.key,
    }
    (kept,) = tx.query_arrow(
        f"select count(*) as n from {ENTRIES_TABLE} where source_file = ?", [file.key]
    )["n"].to_pylist()
    outcome = FileOutcome(
        file.key,
        file.etag,
        file.last_modified,
        file.size,
        "rejected",
        str(bad.reason),
        bad.detail,
        0,
        int(kept),
        0,
        0,
        0,
        run_id,
    )
    rejects = pa.Table.from_pylist([reject], schema=REJECTS_SCHEMA)
    where = "source = ? and partition_key = ? and entity = ?"
    tx.replace_many(
        [
            Replacement(
                REJECTS_TABLE, stamp(rejects, _now()), where, [SOURCE, file.key, FILE_ENTITY]
            ),
            _ledger(outcome),
        ]
    )
    return outcome
