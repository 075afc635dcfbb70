"""Each job runs exactly the groups and checks it is meant to (proven on stand-ins)."""

import dagster as dg
import pytest

LOADS = {"courier_app/couriers", "courier_app/deliveries"}
DBT = {"couriers_staging/stg_courier_app__deliveries", "couriers/courier_earnings_weekly"}
LOAD_CHECKS = {"courier_app/deliveries:deliveries_reconcile_with_truth"}
DBT_TESTS = {
    "couriers_staging/stg_courier_app__deliveries:not_null_stg_courier_app__deliveries_delivery_id",
    "couriers/courier_earnings_weekly:unique_courier_earnings_weekly_courier_id_week_start",
}
GX = {"couriers/courier_earnings_weekly:gx_courier_earnings_weekly"}
EVERYTHING = {
    *LOADS,
    "timesheets/entries",
    "airbyte/github_releases",
    *DBT,
    "quality/data_docs",
    "catalog/datahub",
}


def ran(result: dg.ExecuteInProcessResult) -> tuple[set[str], set[str]]:
    """(materialized asset keys, evaluated check keys) of a run, as user strings."""
    assets = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    checks = {
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
    }
    return assets, checks


@pytest.mark.parametrize(
    ("job", "assets", "checks"),
    [
        ("daily_data_pipeline", EVERYTHING, LOAD_CHECKS | DBT_TESTS | GX),
        ("incremental_sync_pipeline", LOADS | DBT, LOAD_CHECKS | DBT_TESTS | GX),
        ("transformation_pipeline", DBT, DBT_TESTS | GX),
        ("data_quality_pipeline", set(), DBT_TESTS | GX),
    ],
)
def test_each_job_runs_exactly_its_groups_and_checks(stand_in_defs, instance, job, assets, checks):
    result = stand_in_defs.resolve_job_def(job).execute_in_process(instance=instance)
    assert result.success
    assert ran(result) == (assets, checks)


def test_jobs_that_call_the_network_retry_steps_with_exponential_backoff_and_jitter(
    stand_in_defs,
):
    for name in ("daily_data_pipeline", "incremental_sync_pipeline", "emergency_data_refresh"):
        policy = stand_in_defs.resolve_job_def(name).op_retry_policy
        assert policy is not None, name
        assert (policy.backoff, policy.jitter) == (dg.Backoff.EXPONENTIAL, dg.Jitter.PLUS_MINUS)
        assert policy.max_retries >= 1
