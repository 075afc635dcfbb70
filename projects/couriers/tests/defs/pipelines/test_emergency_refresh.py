"""The emergency refresh loads and transforms with validation bypassed, and says so loudly:
a run tag, one alert, and every check it skipped recorded as skipped (never as passed)."""

from pathlib import Path

import dagster as dg

from fernway_core.alerts import ALERTS_FILE, read_alerts
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.pipelines.sensors import validation_bypass_alert
from tests.defs.pipelines.test_jobs import DBT, DBT_TESTS, EVERYTHING, GX, LOAD_CHECKS, ran

CHECKS = LOAD_CHECKS | DBT_TESTS | GX
REFRESHED = EVERYTHING - {"quality/data_docs", "catalog/datahub"}


def check_key(name: str) -> dg.AssetCheckKey:
    asset, check = name.split(":")
    return dg.AssetCheckKey(dg.AssetKey.from_user_string(asset), check)


def sensor_sees_start(defs: dg.Definitions, instance: dg.DagsterInstance, run_id: str) -> None:
    """Evaluate the bypass sensor on the run's RUN_START event, as the daemon would."""
    run = instance.get_run_by_id(run_id)
    (start,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_START)
    context = dg.build_run_status_sensor_context(
        sensor_name="validation_bypass_alert",
        dagster_event=start.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources=defs.resources,
        repository_def=defs.get_repository_def(),
    )
    validation_bypass_alert(context)


def skipped_rows(warehouse: Warehouse, run_id: str) -> set[tuple[str, str]]:
    if not warehouse.table_exists("monitoring.validation_bypasses"):
        return set()
    rows = warehouse.query_arrow(
        "select asset_key, check_name, status from monitoring.validation_bypasses where run_id = ?",
        [run_id],
    ).to_pylist()
    assert {r["status"] for r in rows} <= {"skipped"}
    return {(r["asset_key"], r["check_name"]) for r in rows}


def test_the_refresh_is_tagged_alerted_and_records_every_check_as_skipped(
    stand_in_defs, instance, warehouse, platform_env: Path
):
    daily = stand_in_defs.resolve_job_def("daily_data_pipeline").execute_in_process(
        instance=instance
    )
    refresh = stand_in_defs.resolve_job_def("emergency_data_refresh").execute_in_process(
        instance=instance
    )
    assert refresh.success
    assert ran(refresh) == (REFRESHED, set())  # loads and dbt; no check evaluated
    assert instance.get_run_by_id(refresh.run_id).tags["fernway/validation"] == "bypassed"
    for _ in range(2):  # a re-evaluated tick neither duplicates rows nor loses them
        sensor_sees_start(stand_in_defs, instance, refresh.run_id)

    alerts = read_alerts(platform_env / ALERTS_FILE)
    assert alerts[0]["title"] == "VALIDATION BYPASSED: emergency_data_refresh is running"
    assert alerts[0]["run_id"] == refresh.run_id
    assert set(alerts[0]["fields"]["skipped_checks"]) == CHECKS

    assert skipped_rows(warehouse, refresh.run_id) == {tuple(c.split(":")) for c in CHECKS}

    # Dagster's own records: the refresh has no execution of any check (no pass); each check's
    # latest execution is still the daily run's, older than the asset's latest materialization.
    storage = instance.event_log_storage
    keys = [check_key(c) for c in CHECKS]
    latest = storage.get_latest_asset_check_execution_by_key(keys)
    for key in keys:
        history = storage.get_asset_check_execution_history(key, limit=10)
        assert refresh.run_id not in {record.run_id for record in history}
        assert (latest[key].run_id, latest[key].status.value) == (daily.run_id, "SUCCEEDED")
        materialized = instance.get_latest_materialization_event(key.asset_key)
        assert materialized is not None
        assert materialized.run_id == refresh.run_id

    # every refreshed asset carries an observation saying its validation was bypassed
    for asset in REFRESHED:
        records = instance.fetch_observations(dg.AssetKey.from_user_string(asset), limit=1)
        (observation,) = [r.asset_observation for r in records.records]
        assert observation is not None
        assert observation.metadata["fernway/validation"].value == "bypassed"
        assert observation.metadata["run_id"].value == refresh.run_id


def test_a_partial_refresh_records_as_skipped_only_the_checks_it_did_not_run(
    stand_in_defs, instance, warehouse
):
    # A subset launched with assets only gets Dagster's default: the checks of those assets
    # join the run. What ran is never recorded as skipped; what did not run always is.
    selection = [dg.AssetKey.from_user_string(k) for k in DBT]
    refresh = stand_in_defs.resolve_job_def("emergency_data_refresh").execute_in_process(
        instance=instance, asset_selection=selection
    )
    assert refresh.success
    assets, evaluated = ran(refresh)
    assert assets == DBT
    sensor_sees_start(stand_in_defs, instance, refresh.run_id)
    expected = {tuple(c.split(":")) for c in (DBT_TESTS | GX) - evaluated}
    assert skipped_rows(warehouse, refresh.run_id) == expected
    recorded = {tuple(c.split(":")) for c in evaluated}
    assert not recorded & skipped_rows(warehouse, refresh.run_id)


def test_other_jobs_starting_are_not_reported(stand_in_defs, instance, warehouse, platform_env):
    daily = stand_in_defs.resolve_job_def("daily_data_pipeline").execute_in_process(
        instance=instance
    )
    sensor_sees_start(stand_in_defs, instance, daily.run_id)
    assert read_alerts(platform_env / ALERTS_FILE) == []
    assert not warehouse.table_exists("monitoring.validation_bypasses")
