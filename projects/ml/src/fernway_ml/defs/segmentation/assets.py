"""Customer segmentation: k-means on behaviour, segments and their profiles."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
import pyarrow as pa

from fernway_core.warehouse import Replacement, Warehouse
from fernway_ml.defs.segmentation.config import SegmentationConfig
from fernway_ml.defs.segmentation.features import customer_features, segment
from fernway_ml.defs.segmentation.profiles import profiles, profiles_markdown
from fernway_ml.defs.upstream.assets import CUSTOMERS, ORDERS

SEGMENTS_KEY = dg.AssetKey(["ml", "customer_segments"])
PROFILES_KEY = dg.AssetKey(["ml", "segment_profiles"])
SEGMENTS_TABLE = "ml.customer_segments"
PROFILES_TABLE = "ml.segment_profiles"
# keyword arguments shared by both specs
COMMON: dict[str, Any] = {
    "group_name": "segmentation",
    "kinds": {"scikit-learn", "python", "duckdb"},
    "owners": ["team:ml"],
    "deps": [CUSTOMERS, ORDERS],
}


@dg.multi_asset(
    name="customer_segmentation",
    specs=[
        dg.AssetSpec(
            SEGMENTS_KEY, description="Segment of every customer, with its features.", **COMMON
        ),
        dg.AssetSpec(
            PROFILES_KEY,
            description="Size, revenue share and mean behaviour of each customer segment.",
            **COMMON,
        ),
    ],
)
def customer_segmentation(
    context: dg.AssetExecutionContext, config: SegmentationConfig, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Cluster customers on standardized behaviour; write segments and profiles."""
    features = customer_features(warehouse)
    try:
        segments = segment(features, config)
    except ValueError as exc:
        raise dg.Failure(description=str(exc)) from None
    table = profiles(features, segments)
    rows = features.assign(segment=segments).reset_index()
    warehouse.replace_many(
        [
            Replacement(SEGMENTS_TABLE, pa.Table.from_pandas(rows, preserve_index=False)),
            Replacement(PROFILES_TABLE, pa.Table.from_pandas(table, preserve_index=False)),
        ]
    )
    context.log.info(f"{len(rows)} customers in {len(table)} segments")
    yield dg.MaterializeResult(
        asset_key=SEGMENTS_KEY,
        metadata={**warehouse.table_metadata(SEGMENTS_TABLE), "segments": len(table)},
    )
    yield dg.MaterializeResult(
        asset_key=PROFILES_KEY,
        metadata={
            **warehouse.table_metadata(PROFILES_TABLE),
            "profiles": dg.MetadataValue.md(profiles_markdown(table)),
            "n_clusters": config.n_clusters,
            "random_state": config.random_state,
        },
    )
