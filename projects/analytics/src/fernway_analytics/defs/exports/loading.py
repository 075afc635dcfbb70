"""Load one partner export file: validate in DuckDB, replace that file's rows atomically."""

import datetime as dt

import dagster as dg
import duckdb
import pyarrow as pa

from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.rejects import REJECTS_TABLE, stamp
from fernway_core.warehouse import Replacement, Warehouse

REQUIRED = ("order_id", "partner", "city_id", "ordered_at", "items", "amount")
_REASON = """
    case
        when order_id is null then 'null key order_id'
        when ordered_at is null then 'null ordered_at'
        when amount is null then 'null amount'
        when amount < 0 then 'negative amount: ' || cast(amount as varchar)
        when items is null or items <= 0 then 'non-positive items'
    end
"""


def split_export(table: pa.Table, key: str) -> tuple[pa.Table, pa.Table]:
    """Valid rows (typed, with order_date) and rejects (with reason) of one export file."""
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise dg.Failure(description=f"{key}: export is missing column(s) {', '.join(missing)}")
    con = duckdb.connect()
    try:
        con.register("export", table.select(list(REQUIRED)))
        con.execute(f"create temp table checked as select *, {_REASON} as reason from export")
        valid = con.sql(
            "select order_id, partner, city_id, "
            "cast(timezone('UTC', ordered_at) as timestamp) as ordered_at, "
            "cast(items as integer) as items, cast(amount as decimal(12, 2)) as amount, "
            "cast(timezone('UTC', ordered_at) as date) as order_date, "
            "? as _source_file from checked where reason is null "
            "qualify row_number() over (partition by order_id order by ordered_at) = 1",
            params=[key],
        ).to_arrow_table()
        rejects = con.sql(
            "select 'partner_exports' as source, 'partner_orders' as entity, "
            "order_id as record_key, reason, to_json(checked)::varchar as payload, "
            "? as partition_key from checked where reason is not null",
            params=[key],
        ).to_arrow_table()
    finally:
        con.close()
    return valid, rejects


def load_export_file(
    exports: ExportsBucket, warehouse: Warehouse, key: str
) -> tuple[pa.Table, pa.Table]:
    """Replace every row that came from `key` (and its rejects) in one transaction."""
    valid, rejects = split_export(exports.read_table(key), key)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    warehouse.replace_many(
        [
            Replacement("raw.partner_orders", stamp(valid, now), "_source_file = ?", [key]),
            Replacement(
                REJECTS_TABLE,
                stamp(rejects, now),
                "source = ? and partition_key = ?",
                ["partner_exports", key],
            ),
        ]
    )
    return valid, rejects
