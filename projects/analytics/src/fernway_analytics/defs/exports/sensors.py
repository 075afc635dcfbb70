"""Watches the exports bucket and asks for each export file to be loaded exactly once.

The cursor holds a watermark (the newest `LastModified` requested), the files requested within
`LATE_WINDOW` before it (`key@etag`, by `LastModified`), and the runs not yet seen to finish.

- A file is new when it is not among those seen and its `LastModified` is at most `LATE_WINDOW`
  older than the watermark. A file can be listed after newer ones were requested: S3 gives a
  multipart upload the `LastModified` of its *initiation* but lists it only once it completes,
  and replication or other S3-compatible stores may carry a source's timestamp over. Within the
  window such a file is still requested, once. One listed more than `LATE_WINDOW` after its
  `LastModified` is not seen (the cursor stays bounded): re-upload it for a new `LastModified`.
- At most `MAX_FILES_PER_RUN` files per run, oldest first; the rest wait for the next tick.
- Run key = hash of the batch (`key@etag` lines): the same batch is one run, however often asked.
- A run that failed or was cancelled: the files it did not finish (see `handled_files`) are
  requested again under a new run key, up to `MAX_ATTEMPTS` runs per batch.
"""

import datetime as dt
import hashlib
import json
from typing import Any

import dagster as dg

from fernway_analytics.defs.exports.jobs import handled_files, load_partner_exports_job
from fernway_analytics.defs.exports.resources import ExportFile, ExportsBucket

MAX_FILES_PER_RUN = 200
LATE_WINDOW = dt.timedelta(hours=1)
MAX_ATTEMPTS = 3
_FAILED = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def _id(f: ExportFile) -> str:
    return f"{f.key}@{f.etag}"


def load_state(cursor: str | None) -> dict[str, Any]:
    """The cursor as a dict (an empty state without one)."""
    state = json.loads(cursor) if cursor else {}
    return {
        "last_modified": state.get("last_modified", ""),
        "seen": state.get("seen", {}),
        "pending": state.get("pending", []),
    }


def new_files(files: list[ExportFile], state: dict[str, Any]) -> list[ExportFile]:
    """Files not requested yet: unseen and at most `LATE_WINDOW` older than the watermark."""
    if not state["last_modified"]:
        return files
    floor = dt.datetime.fromisoformat(state["last_modified"]) - LATE_WINDOW
    seen = state["seen"]
    return [
        f
        for f in files
        if f.last_modified >= floor and _id(f) not in seen.get(f.last_modified.isoformat(), ())
    ]


def advance(state: dict[str, Any], taken: list[ExportFile]) -> dict[str, Any]:
    """The watermark moved to the newest file taken; seen files older than the window dropped."""
    stamps = [f.last_modified for f in taken]
    if state["last_modified"]:
        stamps.append(dt.datetime.fromisoformat(state["last_modified"]))
    watermark = max(stamps)
    seen = {lm: set(ids) for lm, ids in state["seen"].items()}
    for f in taken:
        seen.setdefault(f.last_modified.isoformat(), set()).add(_id(f))
    floor = watermark - LATE_WINDOW
    return {
        **state,
        "last_modified": watermark.isoformat(),
        "seen": {
            lm: sorted(ids)
            for lm, ids in sorted(seen.items())
            if dt.datetime.fromisoformat(lm) >= floor
        },
    }


def run_key(lines: list[str]) -> str:
    """A stable key for a batch: Dagster skips a run key it has already run."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _request(keys: list[str], key: str, attempt: int, **tags: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=key,
        run_config={"ops": {"load_partner_exports": {"config": {"keys": keys}}}},
        tags={"fernway/files": str(len(keys)), "fernway/attempt": str(attempt), **tags},
    )


def settle(
    context: dg.SensorEvaluationContext, pending: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dg.RunRequest]]:
    """Runs still pending, and new requests for the unfinished files of failed runs."""
    still, retries = [], []
    for entry in pending:
        tags = {"dagster/run_key": entry["run_key"], "dagster/sensor_name": context.sensor_name}
        runs = context.instance.get_runs(dg.RunsFilter(tags=tags), limit=1)
        if not runs or not runs[0].is_finished:
            still.append(entry)  # not launched yet, or still running
            continue
        run = runs[0]
        if run.status not in _FAILED:
            continue
        done = handled_files(context.instance, run.run_id)
        left = [k for k in entry["keys"] if k not in done]
        if not left:
            continue
        if entry["attempt"] >= MAX_ATTEMPTS:
            context.log.error(
                f"{len(left)} export file(s) still not loaded after {entry['attempt']} runs "
                f"(last: {run.run_id}); re-execute that run to load them: {', '.join(left)}"
            )
            continue
        attempt = entry["attempt"] + 1
        key = run_key([f"retry of {run.run_id}", *left])
        retries.append(_request(left, key, attempt, **{"fernway/retry_of": run.run_id}))
        still.append({"run_key": key, "keys": left, "attempt": attempt})
    return still, retries


@dg.sensor(
    job=load_partner_exports_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def partner_exports_sensor(
    context: dg.SensorEvaluationContext, exports: ExportsBucket
) -> dg.SensorResult:
    """Request a load run per batch of new export files, and again for a failed run's rest."""
    state = load_state(context.cursor)
    pending, requests = settle(context, state["pending"])
    fresh = new_files(exports.list_files(), state)[:MAX_FILES_PER_RUN]
    if fresh:
        key = run_key([_id(f) for f in fresh])
        requests.append(_request([f.key for f in fresh], key, 1))
        pending.append({"run_key": key, "keys": [f.key for f in fresh], "attempt": 1})
        state = advance(state, fresh)
    cursor = json.dumps({**state, "pending": pending})
    if not requests:
        return dg.SensorResult(skip_reason="no new export files", cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
