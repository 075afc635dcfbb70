"""The warehouse's storage kind, applied once over a location's loaded definitions.

Assets declare `duckdb` (the local warehouse) among their kinds; where the settings point the
warehouse at Postgres, `with_warehouse_kind` shows `postgres` instead, dbt assets included.
"""

from __future__ import annotations

import warnings

import dagster as dg
from dagster_shared.record import replace

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

DECLARED_KIND = "duckdb"


def with_warehouse_kind(defs: dg.Definitions, warehouse_url: str | None = None) -> dg.Definitions:
    """`defs` with the kind `duckdb` of every asset replaced by the warehouse's dialect.

    The URL defaults to the settings' resolved warehouse URL; nothing connects to it. The specs
    are mapped for DuckDB too (unchanged), so local loads take the same path as production.
    """
    kind = Warehouse(url=warehouse_url or get_settings().resolved_warehouse_url).dialect

    def swap(spec: dg.AssetSpec) -> dg.AssetSpec:
        if DECLARED_KIND not in spec.kinds:
            return spec
        return spec.replace_attributes(kinds=(spec.kinds - {DECLARED_KIND}) | {kind})

    # The defs-folder loader lists an asset once per module holding it (one module importing
    # another's asset), which Dagster accepts; mapping each listing would yield two definitions
    # of one key, so every asset object is mapped once.
    unique = list({id(asset): asset for asset in defs.assets or []}.values())
    with warnings.catch_warnings():  # used knowingly; not a warning on every load
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return replace(defs, assets=unique).map_resolved_asset_specs(func=swap)
