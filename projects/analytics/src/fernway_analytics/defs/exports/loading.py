"""Load one partner export file: validate in DuckDB, replace that file's rows atomically."""

import datetime as dt

import dagster as dg
import duckdb
import pyarrow as pa

from fernway_analytics.defs.exports.resources import ExportsBucket
from fernway_core.rejects import (
    REJECTS_SCHEMA,
    REJECTS_TABLE,
    Reason,
    reject_sql,
    stamp,
    upgrade_rejects_table,
)
from fernway_core.warehouse import Replacement, Warehouse

REQUIRED = ("order_id", "partner", "city_id", "ordered_at", "items", "amount")
_RULES = (  # (broken when, reason, field, offending value): the first that holds is reported
    ("order_id is null", Reason.NULL_KEY, "order_id", None),
    ("ordered_at is null", Reason.NULL_FIELD, "ordered_at", None),
    ("amount is null", Reason.NULL_FIELD, "amount", None),
    ("amount < 0", Reason.NEGATIVE_AMOUNT, "amount", "amount"),
    ("items is null", Reason.NULL_FIELD, "items", None),
    ("items <= 0", Reason.NON_POSITIVE_COUNT, "items", "items"),
)
_REJECT = (
    "case " + " ".join(f"when {when} then {reject_sql(*rule)}" for when, *rule in _RULES) + " end"
)
_ROW = "to_json(struct_pack(" + ", ".join(REQUIRED) + "))::varchar"


def split_export(table: pa.Table, key: str) -> tuple[pa.Table, pa.Table]:
    """Valid rows (typed, with order_date) and rejects (reason code, field, value) of one file."""
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise dg.Failure(description=f"{key}: export is missing column(s) {', '.join(missing)}")
    con = duckdb.connect()
    try:
        con.register("export", table.select(list(REQUIRED)))
        con.execute(f"create temp table checked as select *, {_REJECT} as reject from export")
        valid = con.sql(
            "select order_id, partner, city_id, "
            "cast(timezone('UTC', ordered_at) as timestamp) as ordered_at, "
            "cast(items as integer) as items, cast(amount as decimal(12, 2)) as amount, "
            "cast(timezone('UTC', ordered_at) as date) as order_date, "
            "? as _source_file from checked where reject is null "
            "qualify row_number() over (partition by order_id order by ordered_at) = 1",
            params=[key],
        ).to_arrow_table()
        rejects = (
            con.sql(
                "select 'partner_exports' as source, 'partner_orders' as entity, "
                "order_id as record_key, reject.reason, reject.field, reject.value, "
                f"{_ROW} as payload, ? as partition_key from checked where reject is not null",
                params=[key],
            )
            .to_arrow_table()
            .cast(REJECTS_SCHEMA)
        )
    finally:
        con.close()
    return valid, rejects


def load_export_file(
    exports: ExportsBucket, warehouse: Warehouse, key: str
) -> tuple[pa.Table, pa.Table]:
    """Replace every row that came from `key` (and its rejects) in one transaction."""
    valid, rejects = split_export(exports.read_table(key), key)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    upgrade_rejects_table(warehouse)
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
