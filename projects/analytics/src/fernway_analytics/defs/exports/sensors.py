"""Watches the exports bucket and asks for each new file to be loaded exactly once."""

import hashlib
import json

import dagster as dg

from fernway_analytics.defs.exports.jobs import load_partner_exports_job
from fernway_analytics.defs.exports.resources import ExportFile, ExportsBucket

MAX_FILES_PER_RUN = 200


def new_files(files: list[ExportFile], cursor: str | None) -> list[ExportFile]:
    """Files newer than the watermark, or at the watermark but not yet seen."""
    if not cursor:
        return files
    state = json.loads(cursor)
    seen = set(state["keys"])
    return [
        f
        for f in files
        if f.last_modified.isoformat() > state["last_modified"]
        or (f.last_modified.isoformat() == state["last_modified"] and f.key not in seen)
    ]


def advance(cursor: str | None, taken: list[ExportFile]) -> str:
    """New watermark: the newest timestamp taken and every key taken at that timestamp."""
    state = json.loads(cursor) if cursor else {"last_modified": "", "keys": []}
    newest = taken[-1].last_modified.isoformat()
    keys = [f.key for f in taken if f.last_modified.isoformat() == newest]
    if newest == state["last_modified"]:
        keys = sorted(set(keys) | set(state["keys"]))
    return json.dumps({"last_modified": newest, "keys": keys})


@dg.sensor(
    job=load_partner_exports_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def partner_exports_sensor(
    context: dg.SensorEvaluationContext, exports: ExportsBucket
) -> dg.SensorResult:
    """Request one load run per batch of newly arrived export files."""
    fresh = new_files(exports.list_files(), context.cursor)[:MAX_FILES_PER_RUN]
    if not fresh:
        return dg.SensorResult(skip_reason="no new export files")
    keys = [f"{f.key}@{f.etag}" for f in fresh]
    run_key = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key,
                run_config={
                    "ops": {"load_partner_exports": {"config": {"keys": [f.key for f in fresh]}}}
                },
                tags={"fernway/files": str(len(fresh))},
            )
        ],
        cursor=advance(context.cursor, fresh),
    )
