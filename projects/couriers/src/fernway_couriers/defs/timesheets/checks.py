"""Checks over `timesheets.entries`: each line once, no courier in two places, sane hours,
and no file or line rejected."""

from collections.abc import Iterator

import dagster as dg

from fernway_core.rejects import REJECTS_TABLE
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.timesheets.assets import ENTRIES_KEY
from fernway_couriers.defs.timesheets.loading import SOURCE
from fernway_couriers.defs.timesheets.store import ENTRIES_TABLE

MAX_SAMPLE = 10


def _no_duplicate_lines(warehouse: Warehouse) -> dg.AssetCheckResult:
    """A shift claimed twice: an agency sent it again under another timesheet id."""
    rows = warehouse.query_arrow(
        "select 'timesheet_id' as kind, timesheet_id as id, count(*) as n, "
        "string_agg(source_file, ', ') as files "
        f"from {ENTRIES_TABLE} group by timesheet_id having count(*) > 1 "
        "union all select 'shift_id', shift_id, count(*), string_agg(source_file, ', ') "
        f"from {ENTRIES_TABLE} where shift_id is not null "
        "group by shift_id having count(*) > 1 order by kind, id"
    ).to_pylist()
    return dg.AssetCheckResult(
        check_name="no_duplicate_lines",
        passed=not rows,
        metadata={
            "duplicated_ids": len(rows),
            "sample": [f"{r['kind']} {r['id']} x{r['n']}: {r['files']}" for r in rows][:MAX_SAMPLE],
        },
    )


def _no_overlapping_lines(warehouse: Warehouse) -> dg.AssetCheckResult:
    """The (courier, day) duplicate, generalised: one courier cannot work two shifts at once."""
    rows = warehouse.query_arrow(
        "select courier_id, timesheet_id, previous_id, source_file, previous_file from ("
        "select courier_id, timesheet_id, source_file, clock_in, "
        "lag(clock_out) over w as previous_out, lag(timesheet_id) over w as previous_id, "
        f"lag(source_file) over w as previous_file from {ENTRIES_TABLE} "
        "window w as (partition by courier_id order by clock_in, timesheet_id)"
        ") as lines where previous_out > clock_in order by courier_id, timesheet_id"
    ).to_pylist()
    return dg.AssetCheckResult(
        check_name="no_overlapping_lines",
        passed=not rows,
        metadata={
            "overlaps": len(rows),
            "sample": [
                f"{r['courier_id']}: {r['previous_id']} ({r['previous_file']}) overlaps "
                f"{r['timesheet_id']} ({r['source_file']})"
                for r in rows[:MAX_SAMPLE]
            ],
        },
    )


def _worked_hours_within_a_day(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Hours outside a day are a unit or clock error of the agency."""
    rows = warehouse.query_arrow(
        "select timesheet_id, worked_hours, source_file "
        f"from {ENTRIES_TABLE} where worked_hours < 0 or worked_hours > 24 "
        "order by timesheet_id"
    ).to_pylist()
    (stats,) = warehouse.query_arrow(
        f"select min(worked_hours) as low, max(worked_hours) as high from {ENTRIES_TABLE}"
    ).to_pylist()
    return dg.AssetCheckResult(
        check_name="worked_hours_within_a_day",
        passed=not rows,
        metadata={
            "lines_out_of_range": len(rows),
            "min_worked_hours": float(stats["low"] or 0.0),
            "max_worked_hours": float(stats["high"] or 0.0),
            "sample": [
                f"{r['timesheet_id']}: {r['worked_hours']:.2f} h ({r['source_file']})"
                for r in rows[:MAX_SAMPLE]
            ],
        },
    )


def _no_rejected_timesheets(warehouse: Warehouse) -> dg.AssetCheckResult:
    """A warning while any file or line of the timesheets sits in the rejects table."""
    rows = warehouse.query_arrow(
        "select entity, reason, count(*) as n, min(record_key) as example "
        f"from {REJECTS_TABLE} where source = ? group by entity, reason order by n desc",
        [SOURCE],
    ).to_pylist()
    return dg.AssetCheckResult(
        check_name="no_rejected_timesheets",
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejected": sum(r["n"] for r in rows),
            "by_reason": {f"{r['entity']}/{r['reason']}": r["n"] for r in rows},
            "examples": [f"{r['entity']}/{r['reason']}: {r['example']}" for r in rows],
        },
    )


CHECKS = (
    dg.AssetCheckSpec(
        "no_duplicate_lines",
        asset=ENTRIES_KEY,
        description="No timesheet id, and no app shift, appears in two lines (across all files).",
    ),
    dg.AssetCheckSpec(
        "no_overlapping_lines",
        asset=ENTRIES_KEY,
        description="No courier has two lines whose clock-in to clock-out times overlap.",
    ),
    dg.AssetCheckSpec(
        "worked_hours_within_a_day",
        asset=ENTRIES_KEY,
        description="Every line's worked hours are within [0, 24].",
    ),
    dg.AssetCheckSpec(
        "no_rejected_timesheets",
        asset=ENTRIES_KEY,
        description=f"No timesheet file or line was rejected (see {REJECTS_TABLE}).",
    ),
)
_EVALUATE = (
    _no_duplicate_lines,
    _no_overlapping_lines,
    _worked_hours_within_a_day,
    _no_rejected_timesheets,
)


@dg.multi_asset_check(specs=list(CHECKS), name="timesheet_entries_checks")
def timesheet_entries_checks(warehouse: Warehouse) -> Iterator[dg.AssetCheckResult]:
    """The four checks in one step (one step start, not four), each its own query."""
    for evaluate in _EVALUATE:
        yield evaluate(warehouse)
