"""Figure 4 (analytics env): partner exports S3 -> DuckDB via the real op job vs download+parse.

Usage (sandbox env vars set): projects/analytics/.venv/bin/python bench/bulk_ingest.py --out FILE
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path
from typing import Any

import boto3
import dagster as dg
import pyarrow.parquet as pq
from common import WORK, dagster_home, log, versions, write_json
from probes import probes

PREFIX = "partner_orders/"


def s3_client() -> Any:
    """A boto3 client for the sandbox's S3 (credentials from the standard AWS env vars)."""
    return boto3.client("s3", endpoint_url=os.environ["FERNWAY_S3_ENDPOINT_URL"])


def export_keys(bucket: str) -> list[str]:
    """Every Parquet export key in the bucket."""
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX)
    return sorted(
        o["Key"] for p in pages for o in p.get("Contents", []) if o["Key"].endswith(".parquet")
    )


def bare_loop(bucket: str, keys: list[str]) -> dict[str, Any]:
    """The download + parse floor: get_object and pyarrow for each file, nothing else."""
    client, rows = s3_client(), 0
    t0 = time.perf_counter()
    for key in keys:
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        rows += pq.read_table(io.BytesIO(body)).num_rows
    seconds = time.perf_counter() - t0
    return {"files": len(keys), "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


def real_load(keys: list[str]) -> dict[str, Any]:
    """Run load_partner_exports_job over every file in process, timing its pieces."""
    from fernway_analytics.defs.exports import loading
    from fernway_analytics.defs.exports.resources import ExportsBucket
    from fernway_core.warehouse import Warehouse
    from fernway_devtools.locations import load_location

    job = load_location("fernway_analytics.definitions").resolve_job_def("load_partner_exports_job")
    config = {"ops": {"load_partner_exports": {"config": {"keys": keys}}}}
    pieces = {
        "download": (ExportsBucket, "read_bytes"),
        "parse": (loading, "parse_export"),
        "validate": (loading, "split_export"),
        "write": (Warehouse, "replace_many"),
        "table_metadata": (Warehouse, "table_metadata"),
    }
    with dg.DagsterInstance.get() as instance, probes(pieces) as spent:
        t0 = time.perf_counter()
        job.execute_in_process(instance=instance, run_config=config)
        seconds = time.perf_counter() - t0
    (rows,) = (
        Warehouse(url=os.environ["FERNWAY_WAREHOUSE_URL"])
        .query_arrow("select count(*) as n from raw.partner_orders")["n"]
        .to_pylist()
    )
    other = seconds - sum(p["seconds"] for p in spent.values())
    return {
        "files": len(keys),
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "time_split_s": {**{k: v["seconds"] for k, v in spent.items()}, "dagster_other": other},
        "calls": {k: v["calls"] for k, v in spent.items()},
    }


def main() -> None:
    """Floor loop, then the real job; write the figure's JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    work = WORK / "bulk_ingest"
    db = work / "warehouse.duckdb"
    db.unlink(missing_ok=True)
    os.environ.update(
        FERNWAY_WAREHOUSE_URL=f"duckdb://{db}",
        FERNWAY_DATA_DIR=str(work),
        DAGSTER_HOME=str(dagster_home(work / "dagster_home")),
    )
    bucket = os.environ["FERNWAY_S3_EXPORTS_BUCKET"]
    keys = export_keys(bucket)
    log(f"bulk_ingest: {len(keys)} export files; boto3 + pyarrow floor loop")
    floor = bare_loop(bucket, keys)
    log(f"bulk_ingest: floor {floor['rows_per_s']:,.0f} rows/s; now load_partner_exports_job")
    real = real_load(keys)
    log(f"bulk_ingest: job {real['rows_per_s']:,.0f} rows/s")
    if real["rows"] != floor["rows"]:
        raise SystemExit(f"bulk_ingest: {real['rows']} rows loaded vs {floor['rows']} in files")
    write_json(
        args.out,
        {
            "bulk_ingest_rows_per_s": real["rows_per_s"],
            "ratio_to_download_parse_floor": real["rows_per_s"] / floor["rows_per_s"],
            "load_partner_exports_job": real,
            "boto3_pyarrow_floor": floor,
            "versions": versions(),
        },
    )


if __name__ == "__main__":
    main()
