"""Checks on the courier-app tables: keys, rejects, the load vs the API, references resolve.

- `keys_unique_and_not_null`: one row per entity id, no null id.
- `no_rejected_records`: the shared rejects check (WARN) over `raw.rejects`.
- `reconciles_with_api`: the last load accounts for every record the API listed
  (merged + rejected + collapsed duplicates) and the table holds exactly the merged ids with
  that load's `_dlt_load_id` — nothing lost between the API and the table, nothing doubled.
- `references_resolve`: every courier / shift a row names is in its table.
"""

from typing import Any

import dagster as dg

from fernway_core.rejects import build_rejects_check
from fernway_core.warehouse import Warehouse, quote_ident
from fernway_couriers.defs.courier_app.contracts import BY_NAME, LOAD_ID, SOURCE, TABLES, Table


def _int(metadata: dict[str, Any], name: str) -> int | None:
    value = metadata.get(name)
    return None if value is None else int(value.value)


def _keys_check(table: Table) -> dg.AssetChecksDefinition:
    key, qualified = quote_ident(table.key), quote_ident(table.qualified)

    @dg.asset_check(
        asset=table.asset_key,
        name="keys_unique_and_not_null",
        blocking=True,
        description=f"Every row of {table.qualified} has a {table.key}, and no two share one.",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        (row,) = warehouse.query_arrow(
            f"select count(*) as n_rows, count(distinct {key}) as n_keys, "
            f"count(*) - count({key}) as null_keys from {qualified}"
        ).to_pylist()
        duplicated = row["n_rows"] - row["null_keys"] - row["n_keys"]
        return dg.AssetCheckResult(
            passed=duplicated == 0 and row["null_keys"] == 0,
            metadata={"rows": row["n_rows"], "duplicated_keys": duplicated, **row},
        )

    return _check


def _reconcile_check(table: Table) -> dg.AssetChecksDefinition:
    qualified = quote_ident(table.qualified)

    @dg.asset_check(
        asset=table.asset_key,
        name="reconciles_with_api",
        blocking=True,
        description=(
            f"The last load of {table.qualified} accounts for every record the API listed "
            "(merged + rejected + duplicates) and the table holds each merged id once, "
            "written by that load."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        event = context.instance.get_latest_materialization_event(table.asset_key)
        materialization = event.asset_materialization if event else None
        if materialization is None:
            return dg.AssetCheckResult(passed=False, metadata={"problem": "never loaded"})
        meta = dict(materialization.metadata)
        listed, merged = _int(meta, "records_listed"), _int(meta, "records_merged")
        rejected, duplicates = _int(meta, "records_rejected"), _int(meta, "duplicates_collapsed")
        load_id = str(meta["dlt_load_id"].value) if "dlt_load_id" in meta else ""
        (row,) = warehouse.query_arrow(
            f"select count(*) as n from {qualified} where {quote_ident(LOAD_ID)} = ?", [load_id]
        ).to_pylist()
        accounted = (merged or 0) + (rejected or 0) + (duplicates or 0)
        return dg.AssetCheckResult(
            passed=listed is not None and listed == accounted and row["n"] == merged,
            metadata={
                "dlt_load_id": load_id,
                "api_listed": listed,
                "merged": merged,
                "rejected": rejected,
                "duplicates_collapsed": duplicates,
                "unaccounted": (listed or 0) - accounted,
                "rows_written_by_the_load": row["n"],
            },
        )

    return _check


def _references_check(table: Table) -> dg.AssetChecksDefinition:
    column_checks = [
        (
            column,
            f"select count(*) as n from {quote_ident(table.qualified)} t "
            f"where t.{quote_ident(column)} is not null and not exists (select 1 from "
            f"{quote_ident(BY_NAME[target].qualified)} r "
            f"where r.{quote_ident(BY_NAME[target].key)} = t.{quote_ident(column)})",
        )
        for column, target in table.references
    ]
    names = ", ".join(f"{c} in {t}" for c, t in table.references)

    @dg.asset_check(
        asset=table.asset_key,
        name="references_resolve",
        additional_deps=[BY_NAME[t].asset_key for _, t in table.references],
        description=f"Every {names} of {table.qualified} exists there (no orphan rows).",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        orphans = {c: warehouse.query_arrow(sql).to_pylist()[0]["n"] for c, sql in column_checks}
        return dg.AssetCheckResult(
            passed=not any(orphans.values()),
            metadata={f"orphan_{column}": n for column, n in orphans.items()},
        )

    return _check


@dg.definitions
def defs() -> dg.Definitions:
    """Every check of the four tables."""
    checks = []
    for table in TABLES:
        checks += [
            _keys_check(table),
            build_rejects_check(table.asset_key, SOURCE, table.name),
            _reconcile_check(table),
        ]
        if table.references:
            checks.append(_references_check(table))
    return dg.Definitions(asset_checks=checks)
