"""A run killed mid-flight leaves no partial partition, and the rerun completes it exactly."""

import os
import signal
import subprocess
import sys
import time

from tests.conftest import DAYS, START, range_tags

SCRIPT = """
import sys
import dagster as dg
from fernway_devtools.locations import load_location
defs = load_location("fernway_analytics.definitions")
job = defs.resolve_implicit_global_asset_job_def()
with dg.instance_for_test() as instance:
    print("started", flush=True)
    result = job.execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey(["raw", "marketplace_orders"])],
        tags={tags!r})
sys.exit(0 if result.success else 1)
"""


def _counts(warehouse):
    rows = warehouse.query_arrow(
        "select cast(order_date as varchar) as day, count(*) as n from raw.marketplace_orders "
        "group by 1"
    ).to_pylist()
    return {r["day"]: r["n"] for r in rows}


def _run(kill_after: float | None) -> int:
    code = SCRIPT.format(tags=range_tags(START, DAYS))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=os.environ.copy(), stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "started"
    if kill_after is None:
        return proc.wait(timeout=300)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def test_killed_run_leaves_no_partial_partition_and_rerun_completes(
    sandbox_factory, monkeypatch, platform_env, warehouse
):
    from fernway_devtools.pytest_plugin import use_sandbox

    sandbox = sandbox_factory(
        scale=3000, start=START, days=DAYS, faults={"marketplace": "latency_ms=400"}
    )
    use_sandbox(monkeypatch, sandbox)
    truth = {
        d: v["count"]
        for d, v in sandbox.truth["marketplace"]["orders"]["by_day"].items()
        if v["count"]
    }
    for kill_after in (0.5, 2.0):
        assert _run(kill_after) == -signal.SIGKILL
        counts = _counts(warehouse) if warehouse.table_exists("raw.marketplace_orders") else {}
        assert counts in ({}, truth), "a killed run must leave all days or none"
    assert _run(None) == 0
    assert _counts(warehouse) == truth
    assert _run(0.5) == -signal.SIGKILL
    assert _counts(warehouse) == truth, "a killed rerun must leave the previous load intact"
