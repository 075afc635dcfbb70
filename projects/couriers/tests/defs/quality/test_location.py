"""The location holds the quality checks, job and sensor, and loads without importing GX."""

from __future__ import annotations

import json
import subprocess
import sys

LOAD = """
import json, sys
from fernway_devtools.locations import load_location
defs = load_location("fernway_couriers.definitions")
graph = defs.resolve_asset_graph()
print(json.dumps({
    "gx_imported": "great_expectations" in sys.modules,
    "checks": sorted(k.to_user_string() for k in graph.asset_check_keys
                     if k.name == "great_expectations_validation"),
    "blocking": sorted(str(graph.get_check_spec(k).blocking) for k in graph.asset_check_keys
                       if k.name == "great_expectations_validation"),
    "sensor": defs.resolve_sensor_def("quality_alert_sensor").job_name,
    "job": defs.resolve_job_def("data_quality_remediation_job").name,
}))
"""


def test_the_location_has_the_gx_checks_job_and_sensor_and_loads_without_gx(platform_env):
    done = subprocess.run(
        [sys.executable, "-c", LOAD], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["gx_imported"] is False
    assert loaded["checks"] == [
        f"couriers/{m}:great_expectations_validation"
        for m in ("courier_earnings_weekly", "payout_reconciliation", "shift_utilisation")
    ]
    assert loaded["blocking"] == ["True", "True", "True"]
    assert loaded["sensor"] == "data_quality_remediation_job"
    assert loaded["job"] == "data_quality_remediation_job"
