"""Figure 3 (analytics env): real orders ingestion vs a bare httpx loop over the same pages.

Usage (sandbox env vars set): projects/analytics/.venv/bin/python bench/api_ingest.py \
    --start 2026-08-01 --end 2026-11-01 --out FILE
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
from common import WORK, dagster_home, in_fresh_process, log, versions, write_json
from probes import probes

RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")
ROUNDS = 2  # both sides alternate; the best of each is compared (noise on a shared machine)


def bare_loop(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Read every page with plain httpx (cursor pagination, page size 1000): no checks, no write."""
    headers = {"Authorization": f"Bearer {os.environ['FERNWAY_MARKETPLACE_TOKEN']}"}
    params: dict[str, Any] = {"ordered_from": str(start), "ordered_to": str(end), "limit": 1000}
    rows = pages = 0
    t0 = time.perf_counter()
    with httpx.Client(base_url=os.environ["FERNWAY_MARKETPLACE_URL"], headers=headers) as client:
        while True:
            body = client.get("/v1/orders", params=params).raise_for_status().json()
            rows, pages = rows + len(body["data"]), pages + 1
            if not body.get("next_cursor"):
                break
            params["cursor"] = body["next_cursor"]
    seconds = time.perf_counter() - t0
    return {"rows": rows, "pages": pages, "seconds": seconds, "rows_per_s": rows / seconds}


def real_ingest(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Materialize raw/marketplace_orders over the window as one run, timing its pieces."""
    from fernway_analytics.defs.marketplace import assets
    from fernway_core.http import HttpClient
    from fernway_core.warehouse import Warehouse
    from fernway_devtools.locations import load_location

    defs = load_location("fernway_analytics.definitions")
    job = defs.resolve_implicit_global_asset_job_def()
    last = (end - dt.timedelta(days=1)).isoformat()
    pieces = {
        "fetch": (HttpClient, "fetch_all"),
        "control_totals": (HttpClient, "get_json"),
        "validate": (assets, "validate_records"),
        "write": (Warehouse, "replace_many"),
        "reconcile": (assets, "reconcile_orders"),
        "table_metadata": (Warehouse, "table_metadata"),
    }
    with dg.DagsterInstance.get() as instance, probes(pieces) as spent:
        t0 = time.perf_counter()
        result = job.execute_in_process(
            instance=instance,
            asset_selection=[assets.ORDERS_KEY],
            tags={RANGE[0]: start.isoformat(), RANGE[1]: last},
        )
        seconds = time.perf_counter() - t0
    events = result.get_asset_materialization_events()  # one per partition, same metadata
    meta = events[0].materialization.metadata
    rows = meta["records_valid"].value
    other = seconds - sum(p["seconds"] for p in spent.values())
    return {
        "rows": rows,
        "rows_rejected": meta["records_rejected"].value,
        "http_requests": meta["http_requests"].value,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "time_split_s": {**{k: v["seconds"] for k, v in spent.items()}, "dagster_other": other},
    }


def main() -> None:
    """Alternate bare loop and real ingestion; the best of each side is compared."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--real-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.real_side:  # child process: env already set by the parent
        write_json(args.out, real_ingest(args.start, args.end))
        return
    work = WORK / "api_ingest"
    db = work / "warehouse.duckdb"
    db.unlink(missing_ok=True)
    os.environ.update(
        FERNWAY_WAREHOUSE_URL=f"duckdb://{db}",
        FERNWAY_DATA_DIR=str(work),
        DAGSTER_HOME=str(dagster_home(work / "dagster_home")),
    )
    bare, real = [], []
    for i in range(1, ROUNDS + 1):
        log(f"api_ingest: round {i}/{ROUNDS}: bare httpx loop over every orders page")
        bare.append(bare_loop(args.start, args.end))
        log(f"api_ingest: {bare[-1]['rows_per_s']:,.0f} rows/s; the real asset (fresh process)")
        window = ["--start", args.start.isoformat(), "--end", args.end.isoformat()]
        out = work / f"real_round{i}.json"
        real.append(in_fresh_process(__file__, [*window, "--real-side"], out))
        log(f"api_ingest: {real[-1]['rows_per_s']:,.0f} rows/s")
    baseline, best = (max(side, key=lambda r: r["rows_per_s"]) for side in (bare, real))
    if best["rows"] + best["rows_rejected"] != baseline["rows"]:
        raise SystemExit(f"api_ingest: row mismatch: real {best} vs bare {baseline}")
    write_json(
        args.out,
        {
            "api_ingest_efficiency": best["rows_per_s"] / baseline["rows_per_s"],
            "target": ">= 0.7",
            "window": [args.start.isoformat(), args.end.isoformat()],
            "real_ingest": best,
            "bare_httpx_loop": baseline,
            "real_ingest_rounds_rows_per_s": [r["rows_per_s"] for r in real],
            "bare_httpx_loop_rounds_rows_per_s": [r["rows_per_s"] for r in bare],
            "versions": versions(),
        },
    )


if __name__ == "__main__":
    main()
