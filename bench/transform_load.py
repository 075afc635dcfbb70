"""Load the raw tables the dbt project reads straight from the sandbox generator (no HTTP)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from common import DAYS, SEED

from fernway_sandbox.dataset import generate

# Arrow (timestamps UTC) -> the contract's raw tables (timestamps naive UTC, typed money).
_UTC = "timezone('UTC', {0}) as {0}"
RAW_SELECTS = {
    "marketplace_cities": (
        "cities",
        "select city_id, name, country, latitude, longitude, timezone, ? as _loaded_at from src",
    ),
    "marketplace_customers": (
        "customers",
        "select customer_id, name, email, city_id, "
        f"{_UTC.format('signed_up_at')}, {_UTC.format('updated_at')}, ? as _loaded_at from src",
    ),
    "marketplace_products": (
        "products",
        "select product_id, name, category, cast(unit_price as decimal(12, 2)) as unit_price, "
        "? as _loaded_at from src",
    ),
    "marketplace_orders": (
        "orders",
        "select order_id, customer_id, product_id, city_id, status, "
        "cast(quantity as integer) as quantity, unit_price, amount, refund_amount, "
        f"{_UTC.format('ordered_at')}, {_UTC.format('updated_at')}, "
        "cast(timezone('UTC', ordered_at) as date) as order_date, ? as _loaded_at from src",
    ),
    "partner_orders": (
        "partner_orders",
        "select order_id, partner, city_id, "
        f"{_UTC.format('ordered_at')}, items, amount, "
        "cast(timezone('UTC', ordered_at) as date) as order_date, "
        "'partner_orders/dt=' || strftime(timezone('UTC', ordered_at), '%Y-%m-%d') "
        "|| '/partner_orders_' || strftime(timezone('UTC', ordered_at), '%Y%m%d') "
        "|| '.parquet' as _source_file, ? as _loaded_at from src",
    ),
}


def load_raw(path: Path, scale: int, start: dt.date) -> dict[str, int]:
    """Generate the data set and write every raw table into a new DuckDB file; row counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    tables = generate(SEED, scale, start, DAYS).tables()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = {}
    con = duckdb.connect(str(path))
    try:
        con.execute("set timezone = 'UTC'")
        con.execute("create schema raw")
        for table, (source, select) in RAW_SELECTS.items():
            con.register("src", tables[source])
            con.execute(f'create table raw."{table}" as {select}', [loaded_at])
            con.unregister("src")
            counts[table] = tables[source].num_rows
    finally:
        con.close()
    return counts
