"""Start the ml refresh when the analytics marts it reads are materialized (by any location).

A multi-asset sensor rather than declarative automation: the refresh is one named job whose
run config (the hyper-parameters) is validated up front, and one update must start it once.
"""

import hashlib
from collections.abc import Mapping

import dagster as dg

from fernway_ml.defs.refresh.jobs import ml_refresh_job
from fernway_ml.defs.upstream.assets import TRIGGERING_MARTS


def update_ids(records: Mapping[dg.AssetKey, dg.EventLogRecord | None]) -> list[str]:
    """What produced the new materializations: upstream run ids (or event ids when runless)."""
    return sorted({r.run_id or f"event-{r.storage_id}" for r in records.values() if r is not None})


@dg.multi_asset_sensor(
    monitored_assets=TRIGGERING_MARTS,
    job=ml_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def analytics_marts_sensor(
    context: dg.MultiAssetSensorEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    """Request one ml refresh per update of the analytics marts (one upstream run = one update)."""
    records = context.latest_materialization_records_by_key()
    sources = update_ids(records)
    if not sources:
        return dg.SkipReason("no new materialization of the analytics marts")
    context.advance_all_cursors()
    # Marts materialized by one upstream run but seen over two ticks share a run key, so the
    # daemon launches the refresh once.
    run_key = hashlib.sha256(",".join(sources).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags={"fernway/upstream_runs": ",".join(sources)[:200]})
