"""The raw `courier_app` tables as the dlt load leaves them, paged from the courier-app API.

A stand-in for the dlt load (built in parallel in defs/courier_app) so the dbt tests do not
depend on it: every record of `GET /v1/<table>` (cursor pagination, bearer token) into
`courier_app.<table>`, typed as the naming contract says (money decimal(12,2), instants
timestamptz, days date) plus dlt's `_dlt_load_id` and `_dlt_id`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa

LOAD_ID = "1764547200.000001"
TEXT, TS, DAY, MONEY, BIGINT = "varchar", "timestamptz", "date", "decimal(12, 2)", "bigint"
COLUMNS: dict[str, dict[str, str]] = {
    "couriers": {
        "courier_id": TEXT, "name": TEXT, "email": TEXT, "city_id": TEXT, "vehicle": TEXT,
        "agency": TEXT, "rating": "decimal(3, 2)", "status": TEXT, "signed_up_at": TS,
        "updated_at": TS,
    },
    "shifts": {
        "shift_id": TEXT, "courier_id": TEXT, "city_id": TEXT, "status": TEXT,
        "scheduled_at": TS, "started_at": TS, "ended_at": TS, "cancelled_at": TS,
        "updated_at": TS,
    },
    "deliveries": {
        "delivery_id": TEXT, "order_id": TEXT, "courier_id": TEXT, "shift_id": TEXT,
        "city_id": TEXT, "status": TEXT, "picked_up_at": TS, "delivered_at": TS,
        "distance_m": BIGINT, "fee": MONEY, "tip": MONEY, "updated_at": TS,
    },
    "payouts": {
        "payout_id": TEXT, "courier_id": TEXT, "period_start": DAY, "period_end": DAY,
        "deliveries": BIGINT, "amount": MONEY, "currency": TEXT, "status": TEXT,
        "created_at": TS, "paid_at": TS, "updated_at": TS,
    },
}  # fmt: skip


def fetch(base_url: str, token: str, table: str) -> list[dict]:
    """Every record of `GET /v1/<table>`, following `next_cursor`."""
    records: list[dict] = []
    params: dict[str, str | int] = {"limit": 5000}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        while True:
            response = client.get(f"/v1/{table}", params=params)
            response.raise_for_status()
            body = response.json()
            records.extend(body["data"])
            if not body["has_more"]:
                return records
            params["cursor"] = body["next_cursor"]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def load_courier_app(database: Path, base_url: str, token: str) -> dict[str, int]:
    """Load the four tables into `database` (replacing them); rows per table."""
    counts = {}
    con = duckdb.connect(str(database))
    try:
        con.execute("create schema if not exists courier_app")
        for table, columns in COLUMNS.items():
            records = fetch(base_url, token, table)
            rows = [
                {c: _text(r[c]) for c in columns} | {"_dlt_id": uuid.uuid4().hex} for r in records
            ]
            schema = pa.schema([(c, pa.string()) for c in [*columns, "_dlt_id"]])
            batch = pa.Table.from_pylist(rows, schema=schema)  # noqa: F841 - DuckDB scans it
            typed = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in columns.items())
            con.execute(f"drop table if exists courier_app.{table}")
            con.execute(
                f"create table courier_app.{table} as select {typed}, "
                f"'{LOAD_ID}' as _dlt_load_id, _dlt_id from batch"
            )
            counts[table] = len(records)
    finally:
        con.close()
    return counts
