"""The sensor asks for one ml refresh per update of the analytics marts, and no more."""

import dagster as dg

from fernway_ml.defs.refresh.sensors import analytics_marts_sensor
from fernway_ml.defs.upstream.assets import CUSTOMERS, DAILY_ORDER_SUMMARY, TRIGGERING_MARTS


def _tick(defs, instance, cursor):
    context = dg.build_multi_asset_sensor_context(
        monitored_assets=TRIGGERING_MARTS, instance=instance, cursor=cursor, definitions=defs
    )
    result = analytics_marts_sensor(context)
    requests = [result] if isinstance(result, dg.RunRequest) else []
    return requests, context.cursor


def _update(instance, *keys) -> None:
    for key in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))


def test_sensor_fires_exactly_once_per_upstream_update(defs, instance) -> None:
    assert _tick(defs, instance, None)[0] == []
    _update(instance, DAILY_ORDER_SUMMARY, CUSTOMERS)
    first, cursor = _tick(defs, instance, None)
    assert len(first) == 1
    again, cursor = _tick(defs, instance, cursor)
    assert again == []
    _update(instance, DAILY_ORDER_SUMMARY)
    second, cursor = _tick(defs, instance, cursor)
    assert len(second) == 1
    assert second[0].run_key != first[0].run_key
    assert _tick(defs, instance, cursor)[0] == []


def test_marts_materialized_by_another_locations_runs_trigger_one_refresh_per_run(
    defs, instance
) -> None:
    @dg.asset(key=DAILY_ORDER_SUMMARY)
    def daily_order_summary() -> None: ...

    @dg.asset(key=CUSTOMERS)
    def customers() -> None: ...

    analytics = [daily_order_summary, customers]  # stand-ins for the analytics location
    first_run = dg.materialize(analytics, instance=instance)
    (request,), cursor = _tick(defs, instance, None)
    assert request.tags["fernway/upstream_runs"] == first_run.run_id
    assert request.job_name in (None, "ml_refresh_job")
    second_run = dg.materialize([customers], instance=instance)
    (request,), cursor = _tick(defs, instance, cursor)
    assert request.tags["fernway/upstream_runs"] == second_run.run_id
    assert _tick(defs, instance, cursor)[0] == []
