"""Courier timesheet lines from the agencies' files in S3, each file version loaded once."""

from typing import Any

import dagster as dg
from botocore.exceptions import ClientError
from pydantic import Field

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.timesheets.resources import TimesheetsBucket
from fernway_couriers.defs.timesheets.store import (
    ENTRIES_TABLE,
    FileOutcome,
    ParsedFile,
    ensure_tables,
    handled_versions,
    parse_file,
    write_files,
)

ENTRIES_KEY = dg.AssetKey(["timesheets", "entries"])
# S3 errors that no retry fixes and that stop every file alike: the run fails at once.
WHOLE_RUN_ERRORS = frozenset({"NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
# Files read (outside the warehouse's writer slot) before they are written in one transaction:
# few enough to hold in memory, many enough that the warehouse is opened once per run as a rule.
FILES_PER_TRANSACTION = 200


class TimesheetFilesConfig(dg.Config):
    """Which timesheet files (S3 keys) a run loads."""

    files: list[str] = Field(
        default_factory=list,
        description="S3 keys to load; empty: every file whose current version the ledger lacks.",
    )


class TimesheetFilesFailed(Exception):
    """Some files failed for reasons a retry may fix; the others of the run were handled."""


def _files_markdown(outcomes: list[FileOutcome]) -> str:
    lines = ["| file | outcome | lines loaded | rejected |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{o.source_file}` | {o.outcome if o.reason is None else o.reason} "
        f"| {o.lines_loaded} | {o.lines_rejected} |"
        for o in outcomes[:100]
    ]
    return "\n".join(lines)


def _read(bucket: TimesheetsBucket, key: str) -> Any:
    try:
        return bucket.read(key)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "NoSuchKey":
            return None  # deleted since it was listed: nothing to load
        if code in WHOLE_RUN_ERRORS:
            raise dg.Failure(
                description=f"s3://{bucket.bucket}/{key}: {code} (no retry can fix this)",
                allow_retries=False,
            ) from exc
        raise  # throttling, 5xx, network: the step's retry policy tries again


@dg.asset(
    key=ENTRIES_KEY,
    group_name="timesheets",
    kinds={"s3", "csv", "parquet", "duckdb"},
    owners=["team:couriers"],
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
    metadata={"loaded_by": "timesheet_files_job (sensor: timesheet_files_sensor)"},
)
def entries(
    context: dg.AssetExecutionContext,
    config: TimesheetFilesConfig,
    timesheets_bucket: TimesheetsBucket,
    warehouse: Warehouse,
) -> dg.MaterializeResult:
    """Courier agencies' timesheet lines, one row per line, newest file's version of each."""
    ensure_tables(warehouse)
    done = handled_versions(warehouse)
    keys = config.files or [
        f.key for f in timesheets_bucket.list_files() if done.get(f.key) != f.etag
    ]
    outcomes: list[FileOutcome] = []
    skipped: list[str] = []
    gone: list[str] = []
    failed: list[Exception] = []
    for first in range(0, len(keys), FILES_PER_TRANSACTION):
        parsed: list[ParsedFile] = []
        for key in keys[first : first + FILES_PER_TRANSACTION]:
            try:
                file = _read(timesheets_bucket, key)
                if file is None:
                    gone.append(key)
                elif done.get(key) == file.etag:
                    skipped.append(key)  # a rerun or a request sent again: already handled
                else:
                    parsed.append(parse_file(file))
            except dg.Failure:
                raise  # the same for every file: the run fails at once
            except Exception as exc:  # maybe transient: keep going, fail the step at the end
                context.log.error(f"{key}: {type(exc).__name__}: {' '.join(str(exc).split())}")
                failed.append(exc)
        # WarehouseLockTimeout and database errors are the same for every file: the step fails
        # (and is retried) with nothing of this transaction written
        for outcome in write_files(warehouse, parsed, context.run.run_id):
            done[outcome.source_file] = outcome.etag
            outcomes.append(outcome)
            log = context.log.info if outcome.outcome == "loaded" else context.log.warning
            log(
                f"{outcome.source_file}: {outcome.outcome} "
                f"({outcome.reason or f'{outcome.lines_loaded} lines'})"
            )
    if failed:
        raise TimesheetFilesFailed(
            f"{len(failed)} timesheet file(s) failed to load (see the errors above); "
            f"{len(outcomes)} handled before that"
        ) from failed[-1]
    rejected = [o for o in outcomes if o.outcome == "rejected"]
    return dg.MaterializeResult(
        metadata={
            **warehouse.table_metadata(ENTRIES_TABLE),
            "files_loaded": len(outcomes) - len(rejected),
            "files_rejected": len(rejected),
            "files_already_handled": len(skipped),
            "files_gone": len(gone),
            "lines_loaded": sum(o.lines_loaded for o in outcomes if o.outcome == "loaded"),
            "lines_rejected": sum(o.lines_rejected for o in outcomes),
            "files": dg.MetadataValue.md(_files_markdown(outcomes)),
        }
    )
