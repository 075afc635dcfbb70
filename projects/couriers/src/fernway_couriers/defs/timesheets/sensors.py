"""Watches the timesheets bucket and asks for one load run per new file version.

The cursor holds the newest work day seen (`newest_day`), the version (ETag) requested of each
key within `LOOKBACK_DAYS` of it (`seen`), and the runs not yet seen to finish (`pending`).

- Listing is cheap: after the first tick only the `dt=` folders from `newest_day -
  LOOKBACK_DAYS` on are listed (S3 `StartAfter`, paginated), so a tick costs what the recent
  days hold, not the bucket's whole history. A file sent for an older day is not seen by the
  sensor; a run of `timesheet_files_job` without config loads every file the ledger lacks.
- A file is new when its key is unseen or its ETag changed (a replaced file): one run per file
  version, run key `<key>@<etag>`, so the same version is one run however often it is asked.
  At most `MAX_RUNS_PER_TICK` runs per tick, oldest first; the rest wait for the next tick.
- A corrupt file is not the sensor's business: its run rejects it with a reason and succeeds.
- A run that failed or was cancelled is asked again under a new run key, up to `MAX_ATTEMPTS`
  runs per file version; what such a run already loaded is skipped through the ledger.
"""

import datetime as dt
import json
from typing import Any

import dagster as dg

from fernway_core.sensor_runs import settle_runs
from fernway_couriers.defs.timesheets.jobs import timesheet_files_job
from fernway_couriers.defs.timesheets.resources import (
    TimesheetObject,
    TimesheetsBucket,
    key_day,
)

LOOKBACK_DAYS = 31
MAX_RUNS_PER_TICK = 100
MAX_ATTEMPTS = 3
OP = "timesheets__entries"


def load_state(cursor: str | None) -> dict[str, Any]:
    """The cursor as a dict (an empty state without one)."""
    state = json.loads(cursor) if cursor else {}
    return {
        "newest_day": state.get("newest_day", ""),
        "seen": state.get("seen", {}),
        "pending": state.get("pending", []),
    }


def floor_day(state: dict[str, Any]) -> dt.date | None:
    """The oldest work day listed (None: list everything, as on the first tick)."""
    if not state["newest_day"]:
        return None
    return dt.date.fromisoformat(state["newest_day"]) - dt.timedelta(days=LOOKBACK_DAYS)


def new_files(files: list[TimesheetObject], state: dict[str, Any]) -> list[TimesheetObject]:
    """Listed files whose key is unseen or whose version changed since it was requested."""
    seen = state["seen"]
    return [f for f in files if seen.get(f.key) != f.etag]


def advance(state: dict[str, Any], taken: list[TimesheetObject], all_new: bool) -> dict[str, Any]:
    """`taken` marked seen; the newest day moves only when every new file was taken."""
    seen = {**state["seen"], **{f.key: f.etag for f in taken}}
    days = [f.day for f in taken if f.day is not None]
    newest = state["newest_day"]
    if all_new and days:
        newest = max(newest, max(days).isoformat())
    floor = floor_day({"newest_day": newest})
    kept = {
        key: etag
        for key, etag in seen.items()
        if floor is None or (day := key_day(key)) is None or day >= floor
    }
    return {**state, "newest_day": newest, "seen": dict(sorted(kept.items()))}


def _request(key: str, etag: str, attempt: int, **tags: str) -> dg.RunRequest:
    run_key = f"{key}@{etag}" + (f"#{attempt}" if attempt > 1 else "")
    return dg.RunRequest(
        run_key=run_key,
        run_config={"ops": {OP: {"config": {"files": [key]}}}},
        tags={"fernway/attempt": str(attempt), **tags},
    )


def settle(
    context: dg.SensorEvaluationContext, pending: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dg.RunRequest]]:
    """Runs still pending, and new requests for the files of failed or cancelled runs."""
    still, failed = settle_runs(context, pending)
    retries = []
    for entry, run in failed:
        if entry["attempt"] >= MAX_ATTEMPTS:
            context.log.error(
                f"{entry['key']} still not loaded after {entry['attempt']} runs "
                f"(last: {run.run_id}); re-execute that run to load it"
            )
            continue
        attempt = entry["attempt"] + 1
        request = _request(entry["key"], entry["etag"], attempt, **{"fernway/retry_of": run.run_id})
        retries.append(request)
        still.append({**entry, "run_key": request.run_key, "attempt": attempt})
    return still, retries


@dg.sensor(
    job=timesheet_files_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def timesheet_files_sensor(
    context: dg.SensorEvaluationContext, timesheets_bucket: TimesheetsBucket
) -> dg.SensorResult:
    """Request one load run per new timesheet file version, and again for a failed run's file."""
    state = load_state(context.cursor)
    pending, requests = settle(context, state["pending"])
    fresh = new_files(timesheets_bucket.list_files(floor_day(state)), state)
    taken = fresh[:MAX_RUNS_PER_TICK]
    for f in taken:
        request = _request(f.key, f.etag, 1)
        requests.append(request)
        pending.append({"run_key": request.run_key, "key": f.key, "etag": f.etag, "attempt": 1})
    state = advance(state, taken, all_new=len(taken) == len(fresh))
    cursor = json.dumps({**state, "pending": pending})
    if not requests:
        return dg.SensorResult(skip_reason="no new timesheet files", cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
