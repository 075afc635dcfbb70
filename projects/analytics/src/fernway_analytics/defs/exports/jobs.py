"""The imperative S3-watch job: load each new partner export file exactly once.

Every file is downloaded and validated on its own; then all of them are written in ONE warehouse
transaction (one writer-lock wait per run, not per file), and the run logs ONE materialization
of raw/partner_orders naming every file it finished with, loaded or set aside (`source_files`):
the ledger the op's retries and the sensor read to skip what a run already did.
"""

from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
from botocore.exceptions import ClientError
from duckdb import DuckDBPyConnection

from fernway_analytics.defs.exports.assets import partner_orders
from fernway_analytics.defs.exports.loading import (
    CheckedFile,
    UnloadableFile,
    check_export_file,
    validator,
    write_files,
)
from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.warehouse import Warehouse

# S3 errors that no retry fixes and that stop every file alike: the run fails at once.
WHOLE_RUN_ERRORS = frozenset({"NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
MAX_FAILURES_IN_A_ROW = 3  # then the trouble is S3, not one file
SOURCE_FILES = "source_files"  # the materialization's ledger entry: every file the run finished


class ExportFilesConfig(dg.Config):
    """Which export files (S3 keys) this run loads."""

    keys: list[str]


class ExportFilesFailed(Exception):
    """Some files failed for reasons a retry may fix; the others of the run were loaded."""


def handled_files(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """The files a run has loaded or set aside so far (its materializations' ledger)."""
    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    handled: set[str] = set()
    for e in entries:
        event = e.asset_materialization
        if event is None or event.asset_key != partner_orders.key:
            continue
        ledger = event.metadata.get(SOURCE_FILES)
        if isinstance(ledger, dg.JsonMetadataValue) and isinstance(ledger.data, list):
            handled.update(str(key) for key in ledger.data)
    return handled


def _check(exports: ExportsBucket, key: str, con: DuckDBPyConnection) -> CheckedFile:
    try:
        return check_export_file(exports, key, con)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in WHOLE_RUN_ERRORS:
            raise dg.Failure(
                description=f"s3://{exports.bucket}/{key}: {code} (no retry can fix this)",
                allow_retries=False,
            ) from exc
        raise  # throttling, 5xx, network: the step's retry policy tries again


def _check_all(
    context: dg.OpExecutionContext, exports: ExportsBucket, keys: list[str]
) -> tuple[list[CheckedFile], list[UnloadableFile], list[Exception]]:
    """Each file downloaded and validated alone: checked, set aside, or failed (maybe transient).

    A file that fails does not stop the files after it, unless `MAX_FAILURES_IN_A_ROW` fail in
    a row (S3 is down: the rest is left to the retry).
    """
    checked: list[CheckedFile] = []
    set_aside: list[UnloadableFile] = []
    failed: list[Exception] = []
    in_a_row = 0
    with validator() as con:
        for key in keys:
            try:
                checked.append(_check(exports, key, con))
            except UnloadableFile as bad:
                set_aside.append(bad)
            except dg.Failure:
                raise  # the same for every file: the run fails at once
            except Exception as exc:  # maybe transient: keep going, fail the step at the end
                context.log.error(f"{key}: {type(exc).__name__}: {' '.join(str(exc).split())}")
                failed.append(exc)
                in_a_row += 1
                if in_a_row == MAX_FAILURES_IN_A_ROW:
                    break
                continue
            in_a_row = 0
    return checked, set_aside, failed


def _files_markdown(checked: list[CheckedFile], set_aside: list[UnloadableFile]) -> str:
    lines = ["| file | outcome | rows loaded | rows rejected |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{f.key}` | loaded | {f.valid.num_rows} | {f.rejects.num_rows} |" for f in checked
    ]
    lines += [f"| `{p.key}` | set aside: `{p.reason}` | 0 | 0 |" for p in set_aside]
    return "\n".join(lines)


def _set_aside_markdown(set_aside: list[UnloadableFile]) -> str:
    return "\n".join(f"- `{p.key}`: `{p.reason}` ({p.detail})" for p in set_aside) or "none"


def _materialization(
    checked: list[CheckedFile], set_aside: list[UnloadableFile]
) -> dg.AssetMaterialization:
    """The run's one materialization: what it wrote, file by file, and its ledger."""
    dates = pa.chunked_array([f.valid["order_date"] for f in checked], type=pa.date32())
    first, last = pc.min_max(dates).as_py().values()
    metadata: dict[str, Any] = {
        "files_loaded": len(checked),
        "rows_loaded": sum(f.valid.num_rows for f in checked),
        "rows_rejected": sum(f.rejects.num_rows for f in checked),
        "files_set_aside": len(set_aside),
        "set_aside": dg.MetadataValue.md(_set_aside_markdown(set_aside)),
        "order_dates": f"{first} to {last}" if first else "none",
        "files": dg.MetadataValue.md(_files_markdown(checked, set_aside)),
        SOURCE_FILES: dg.MetadataValue.json([f.key for f in checked] + [p.key for p in set_aside]),
    }
    return dg.AssetMaterialization(asset_key=partner_orders.key, metadata=metadata)


def _report(
    context: dg.OpExecutionContext, checked: list[CheckedFile], set_aside: list[UnloadableFile]
) -> None:
    rows = sum(f.valid.num_rows for f in checked)
    rejected = sum(f.rejects.num_rows for f in checked)
    context.log.info(
        f"{len(checked)} file(s) loaded in one transaction: {rows} rows, {rejected} rejected; "
        f"{len(set_aside)} file(s) set aside"
    )
    context.add_output_metadata(
        {
            "files_loaded": len(checked),
            "files_set_aside": len(set_aside),
            "set_aside": dg.MetadataValue.md(_set_aside_markdown(set_aside)),
        }
    )
    if set_aside:
        context.log.warning(
            f"{len(set_aside)} file(s) set aside (see raw.rejects): "
            + ", ".join(f"{p.key} ({p.reason})" for p in set_aside)
        )


@dg.op(
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
)
def load_partner_exports(
    context: dg.OpExecutionContext,
    config: ExportFilesConfig,
    exports: ExportsBucket,
    warehouse: Warehouse,
) -> None:
    """Load the given files in one transaction, each replacing its own rows; a file that cannot
    load is set aside with a reason.

    A file failing for another reason (S3, network) does not stop the others: they are written,
    the step fails at the end, and its retry loads only the files no attempt of this run
    finished. A warehouse error (a lock timeout too) writes nothing: the retry does it all.
    """
    done = handled_files(context.instance, context.run_id) if context.retry_number else set()
    keys = [key for key in dict.fromkeys(config.keys) if key not in done]
    checked, set_aside, failed = _check_all(context, exports, keys)
    if checked or set_aside:
        write_files(warehouse, checked, set_aside)
        context.log_event(_materialization(checked, set_aside))
    _report(context, checked, set_aside)
    if failed:
        raise ExportFilesFailed(
            f"{len(failed)} export file(s) failed to load (see the errors above); "
            f"{len(checked)} loaded and {len(set_aside)} set aside without them"
        ) from failed[-1]


@dg.job(description="Load partner bulk export files from S3 into raw.partner_orders.")
def load_partner_exports_job() -> None:
    """Watch-S3 job: one op, config lists the files."""
    load_partner_exports()
