"""The S3 sensor asks for every export file exactly once, and the job loads it exactly once."""

import dagster as dg

from fernway_core.platform.sensors import evaluate_sensor
from tests.conftest import START


def _tick(defs, instance, cursor):
    return evaluate_sensor(defs, instance, "partner_exports_sensor", cursor)


def _requested_keys(data):
    return [
        key
        for request in data.run_requests or []
        for key in request.run_config["ops"]["load_partner_exports"]["config"]["keys"]
    ]


def test_sensor_requests_each_file_once_and_picks_up_late_files(clean_sandbox, defs, instance):
    first = _tick(defs, instance, None)
    keys = _requested_keys(first)
    truth_files = clean_sandbox.truth["s3"]["partner_orders"]["files"]
    assert len(keys) == len(set(keys)) == truth_files
    again = _tick(defs, instance, first.cursor)
    assert _requested_keys(again) == []
    late_key = clean_sandbox.put_export(START)
    late = _tick(defs, instance, again.cursor or first.cursor)
    assert _requested_keys(late) == [late_key]


def test_load_job_loads_every_file_once_even_when_rerun(clean_sandbox, defs, instance, warehouse):
    keys = _requested_keys(_tick(defs, instance, None))
    job = defs.resolve_job_def("load_partner_exports_job")
    config = {"ops": {"load_partner_exports": {"config": {"keys": keys}}}}
    assert job.execute_in_process(run_config=config, instance=instance).success
    assert job.execute_in_process(run_config=config, instance=instance).success
    truth = clean_sandbox.truth["s3"]["partner_orders"]
    got = warehouse.query_arrow(
        "select count(*) as n, count(distinct order_id) as d, "
        "cast(sum(amount) * 100 as bigint) as cents from raw.partner_orders"
    ).to_pylist()[0]
    assert got == {"n": truth["count"], "d": truth["count"], "cents": truth["amount_cents"]}
    events = instance.get_latest_materialization_event(dg.AssetKey(["raw", "partner_orders"]))
    assert events is not None
