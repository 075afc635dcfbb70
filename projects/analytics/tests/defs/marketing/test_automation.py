"""Declarative automation: the marketing assets follow their upstream marts."""

import dagster as dg

MARTS = [["analytics", "orders"], ["analytics", "delivery_cities"], ["analytics", "customers"]]
MARKETING = {
    dg.AssetKey(["marketing", "city_kpis"]),
    dg.AssetKey(["marketing", "customer_acquisition"]),
}


def _requested(defs, instance, cursor=None):
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    keys = {r.key for r in result.results if r.true_subset.size > 0}
    return keys & MARKETING, result.cursor


def test_marketing_assets_are_requested_when_the_marts_update_and_only_then(defs, instance):
    requested, cursor = _requested(defs, instance)
    assert requested == set(), "nothing upstream has materialized yet"
    for key in MARTS:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    requested, cursor = _requested(defs, instance, cursor)
    assert requested == MARKETING
    for key in MARKETING:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    requested, _ = _requested(defs, instance, cursor)
    assert requested == set(), "no new upstream data: no new request"


def test_the_automation_sensor_runs_by_default(defs):
    sensor = defs.resolve_sensor_def("marketing_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
