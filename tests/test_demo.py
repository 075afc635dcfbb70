"""`make demo`'s driver end to end on a small window: exit 0 and the warehouse matches the truth."""

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def _locations() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^LOCATIONS := (.*)$", makefile, re.M).group(1).split()


def test_demo_builds_every_location_and_matches_the_sandbox_truth(tmp_path):
    home = tmp_path / "dagster_home"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FERNWAY_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("FERNWAY_WAREHOUSE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "fernway_devtools.instance"], cwd=ROOT, env=env, check=True
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fernway_devtools.demo",
            "--scale",
            "4000",
            "--days",
            "63",
            "--weather-calls-per-minute",
            "1000",
            *(arg for location in _locations() for arg in ("--location", location)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-4000:]
    assert "raw.marketplace_orders" in out
    assert "analytics.daily_order_summary" in out
    assert "!=" not in out.split("== Ground truth")[1]
    # weather: every delivery city and hour of the 63-day window; the drill's failure in Slack
    assert "30,240 city-hours of 20 cities x 1,512 hours = every city and hour" in out
    slack = out.split("== Slack messages recorded by the sandbox: ")[1]
    assert slack.startswith("1\n")
    assert "Run failed: forecast_weather_job" in slack
    assert "failed_steps: raw__weather_forecast" in slack
    # ml: the forecast is scored against the naive seasonal baseline on the holdout (whether it
    # beats it, with a margin, is asserted by the ml location's own tests on enough data)
    accuracy = out.split("== Demand forecast accuracy")[1]
    assert "naive_seasonal" in accuracy
    ratio = float(accuracy.split("forecast MAPE / naive seasonal MAPE = ")[1].split()[0])
    assert ratio > 0
    assert (tmp_path / "data" / "warehouse.duckdb").exists()
    assert (tmp_path / "data" / "sandbox_truth.json").exists()
