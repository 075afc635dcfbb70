"""The platform's rejects convention: bad records land in `raw.rejects` with a reason."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fernway_core.warehouse import Warehouse

REJECTS_TABLE = "raw.rejects"


def stamp(table: pa.Table, loaded_at: dt.datetime, **constants: object) -> pa.Table:
    """Append `_loaded_at` and constant columns (one value for every row)."""
    for name, value in {**constants, "_loaded_at": loaded_at}.items():
        table = table.append_column(name, pa.array([value] * table.num_rows))
    return table


def fill_partition(rejects: pa.Table, default: str) -> pa.Table:
    """Rejects whose partition could not be read from the record get the run's first day."""
    index = rejects.schema.get_field_index("partition_key")
    filled = pc.fill_null(rejects["partition_key"], pa.scalar(default, pa.string()))
    return rejects.set_column(index, "partition_key", filled)


def build_rejects_check(
    asset_key: dg.AssetKey, source: str, entity: str
) -> dg.AssetChecksDefinition:
    """A warning check that fails visibly whenever records of this entity were rejected."""

    @dg.asset_check(
        asset=asset_key,
        name="no_rejected_records",
        description=f"No {source} {entity} record was rejected (see {REJECTS_TABLE}).",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        rows = warehouse.query_arrow(
            f"select reason, count(*) as n from {REJECTS_TABLE} "
            "where source = ? and entity = ? group by reason order by n desc",
            [source, entity],
        ).to_pylist()
        total = sum(r["n"] for r in rows)
        return dg.AssetCheckResult(
            passed=total == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rejected": total, "by_reason": {r["reason"]: r["n"] for r in rows[:20]}},
        )

    return _check
