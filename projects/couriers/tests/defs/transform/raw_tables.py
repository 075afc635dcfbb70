"""The dbt project's inputs, paged from the sandbox's APIs into a DuckDB file.

`load_courier_app`: the raw `courier_app` tables as the dlt load leaves them - a stand-in for
the dlt load (built in parallel in defs/courier_app), so these tests do not depend on it: every
record of `GET /v1/<table>` (cursor pagination, bearer token) into `courier_app.<table>`, typed
as the naming contract says (money decimal(12,2), instants timestamptz, days date) plus dlt's
`_dlt_load_id` and `_dlt_id`.

`load_orders`: `analytics.orders` from the marketplace API, for the default (fast) test
upstream; conftest.py can build the real mart with the analytics location instead.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa

from fernway_core import marts

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


def load_orders(database: Path, base_url: str, token: str) -> int:
    """`analytics.orders` with the published contract's columns (fernway_core.marts.ORDERS),
    filled from the marketplace API's orders the way the analytics mart maps app orders."""
    records: list[dict] = []
    params: dict[str, str | int] = {"limit": 10_000}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        while True:
            body = client.get("/v1/orders", params=params).raise_for_status().json()
            records.extend(body["data"])
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]
    keys = ("order_id", "customer_id", "product_id", "city_id", "status", "quantity")
    keys += ("amount", "refund_amount", "ordered_at")
    schema = pa.schema([(k, pa.string()) for k in keys])
    api = pa.Table.from_pylist(  # noqa: F841 - DuckDB scans it
        [{k: _text(r[k]) for k in keys} for r in records], schema=schema
    )
    columns = ", ".join(f'"{c.name}" {c.data_type}' for c in marts.ORDERS.columns)
    con = duckdb.connect(str(database))
    try:
        con.execute("create schema if not exists analytics")
        con.execute(f"create or replace table {marts.ORDERS.table} ({columns})")
        con.execute(
            f"""
            insert into {marts.ORDERS.table} by name
            select
                order_id, 'app' as channel, null as partner_name, customer_id, product_id,
                city_id, status, status = 'cancelled' as is_cancelled,
                status = 'refunded' as is_refunded, cast(quantity as integer) as item_count,
                cast(amount as decimal(12, 2)) as amount,
                cast(refund_amount as decimal(12, 2)) as refund_amount,
                cast(amount as decimal(12, 2)) - cast(refund_amount as decimal(12, 2))
                    as net_amount,
                cast(cast(ordered_at as timestamptz) at time zone 'UTC' as timestamp)
                    as ordered_at,
                cast(cast(ordered_at as timestamptz) at time zone 'UTC' as date) as order_date
            from api
            """
        )
    finally:
        con.close()
    return len(records)
