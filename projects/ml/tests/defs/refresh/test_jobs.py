"""The refresh job takes the hyper-parameters as run config and applies them."""

import dagster as dg


def test_refresh_job_runs_with_defaults_and_with_a_custom_horizon(defs, warehouse, instance):
    job = defs.resolve_job_def("ml_refresh_job")
    assert job.execute_in_process(instance=instance).success
    assert warehouse.table_metadata("ml.demand_forecast")["dagster/row_count"] == 14
    config = {"forecast": {"horizon_days": 28, "interval_level": 0.95}, "segmentation": {}}
    result = job.execute_in_process(run_config=config, instance=instance)
    assert result.success
    levels = warehouse.query_arrow(
        "select count(*) as days, min(interval_level) as level from ml.demand_forecast"
    ).to_pylist()
    assert levels == [{"days": 28, "level": 0.95}]
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["ml", "demand_report"]) in materialized
    assert dg.AssetKey(["ml", "model_stats"]) not in materialized  # weekly, on its own job
