"""The imperative S3-watch job: load each new partner export file exactly once.

Every file the op finishes with, loaded or set aside, gets one `AssetObservation` naming it
(`source_file`): the ledger the op's retries and the sensor read to skip what a run already did.
"""

from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
from botocore.exceptions import ClientError

from fernway_analytics.defs.exports.assets import partner_orders
from fernway_analytics.defs.exports.loading import UnloadableFile, load_export_file, set_aside
from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.warehouse import Warehouse, WarehouseLockTimeout

# S3 errors that no retry fixes and that stop every file alike: the run fails at once.
WHOLE_RUN_ERRORS = frozenset({"NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
MAX_FAILURES_IN_A_ROW = 3  # then the trouble is S3 or the warehouse, not one file


class ExportFilesConfig(dg.Config):
    """Which export files (S3 keys) this run loads."""

    keys: list[str]


def handled_files(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """The files a run has loaded or set aside so far (its per-file observations)."""
    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION)
    return {
        str(e.asset_observation.metadata["source_file"].value)
        for e in entries
        if e.asset_observation is not None
        and e.asset_observation.asset_key == partner_orders.key
        and "source_file" in e.asset_observation.metadata
    }


def _loaded(
    context: dg.OpExecutionContext, key: str, valid: pa.Table, rejects: int, table: dict
) -> None:
    """Log the partitions one file touched (as soon as its transaction committed) and the file."""
    days = sorted({d.isoformat() for d in pc.unique(valid["order_date"]).to_pylist()})
    counts = {"rows_loaded": valid.num_rows, "rows_rejected": rejects}
    for day in days:
        context.log_event(
            dg.AssetMaterialization(
                asset_key=partner_orders.key,
                partition=day,
                metadata={"source_file": key, **counts, **table},
            )
        )
    context.log_event(
        dg.AssetObservation(
            asset_key=partner_orders.key,
            metadata={"source_file": key, "outcome": "loaded", **counts},
        )
    )
    context.log.info(f"{key}: {valid.num_rows} rows loaded, {rejects} rejected")


def _set_aside(context: dg.OpExecutionContext, warehouse: Warehouse, bad: UnloadableFile) -> None:
    set_aside(warehouse, bad)
    context.log_event(
        dg.AssetObservation(
            asset_key=partner_orders.key,
            metadata={
                "source_file": bad.key,
                "outcome": "set_aside",
                "reason": str(bad.reason),
                "detail": bad.detail,
            },
        )
    )
    context.log.warning(f"{bad.key}: set aside ({bad.reason}): {bad.detail}")


def _load(exports: ExportsBucket, warehouse: Warehouse, key: str) -> tuple[pa.Table, pa.Table]:
    try:
        return load_export_file(exports, warehouse, key)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in WHOLE_RUN_ERRORS:
            raise dg.Failure(
                description=f"s3://{exports.bucket}/{key}: {code} (no retry can fix this)",
                allow_retries=False,
            ) from exc
        raise  # throttling, 5xx, network: the step's retry policy tries again


class ExportFilesFailed(Exception):
    """Some files failed for reasons a retry may fix; the others of the run were loaded."""


def _report(context: dg.OpExecutionContext, loaded: int, skipped: list[UnloadableFile]) -> None:
    context.add_output_metadata(
        {
            "files_loaded": loaded,
            "files_set_aside": len(skipped),
            "set_aside": dg.MetadataValue.md(
                "\n".join(f"- `{b.key}`: `{b.reason}` ({b.detail})" for b in skipped) or "none"
            ),
        }
    )
    if skipped:
        context.log.warning(
            f"{len(skipped)} file(s) set aside (see raw.rejects): "
            + ", ".join(b.key for b in skipped)
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
    """Load the given files, each replacing its own rows; a file that cannot load is set aside.

    A file failing for another reason (S3, network) does not stop the files after it: the step
    fails at the end, and its retry loads only the files no attempt of this run finished.
    """
    done = handled_files(context.instance, context.run_id) if context.retry_number else set()
    table: dict[str, Any] = {}
    loaded, skipped, failed, in_a_row = 0, [], [], 0
    for key in config.keys:
        if key in done:
            continue
        try:
            valid, rejects = _load(exports, warehouse, key)
        except UnloadableFile as bad:
            _set_aside(context, warehouse, bad)
            skipped.append(bad)
            in_a_row = 0
            continue
        except (dg.Failure, WarehouseLockTimeout):
            raise  # the same for every file: the run fails (a lock timeout: retried) at once
        except Exception as exc:  # maybe transient: keep going, fail the step at the end
            context.log.error(f"{key}: {type(exc).__name__}: {' '.join(str(exc).split())}")
            failed.append(exc)
            in_a_row += 1
            if in_a_row == MAX_FAILURES_IN_A_ROW:
                break  # S3 or the warehouse is down, not one file: leave the rest to the retry
            continue
        in_a_row = 0
        if not table:  # the table's name and columns, looked up once per attempt
            table = warehouse.table_metadata("raw.partner_orders")
            table.pop("dagster/row_count")
        _loaded(context, key, valid, rejects.num_rows, table)
        loaded += 1
    _report(context, loaded, skipped)
    if failed:
        raise ExportFilesFailed(
            f"{len(failed)} export file(s) failed to load (see the errors above); "
            f"{loaded} loaded and {len(skipped)} set aside before that"
        ) from failed[-1]


@dg.job(description="Load partner bulk export files from S3 into raw.partner_orders.")
def load_partner_exports_job() -> None:
    """Watch-S3 job: one op, config lists the files."""
    load_partner_exports()
