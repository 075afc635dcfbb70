"""`make demo`'s driver end to end on a small window: exit 0 and the warehouse matches the truth."""

import datetime as dt
import json
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
    # the truth the demo wrote is for this window, and the warehouse holds exactly its orders
    truth = json.loads((tmp_path / "data" / "sandbox_truth.json").read_text())
    window = dt.date.fromisoformat(truth["end"]) - dt.date.fromisoformat(truth["start"])
    assert (truth["scale"], window.days) == (4000, 63)
    app, partner = truth["marketplace"]["orders"]["count"], truth["s3"]["partner_orders"]["count"]
    assert _section(out, "Ground truth: analytics") == [
        f"marketplace orders {app:,} = {app:,}",
        f"partner orders {partner:,} = {partner:,}",
    ]
    # weather: every delivery city and hour of the 63-day window; the drill's failure in Slack
    assert "30,240 city-hours of 20 cities x 1,512 hours = every city and hour" in out
    slack = out.split("== Slack messages recorded by the sandbox: ")[1]
    assert slack.startswith("1\n")
    assert "Run failed: forecast_weather_job" in slack
    assert "failed_steps: raw__weather_forecast" in slack
    # ml: the forecast is scored against the naive seasonal baseline on the holdout (whether it
    # beats it, with a margin, is asserted by the ml location's own tests on enough data)
    accuracy = _section(out, "Demand forecast accuracy")
    mape = dict(re.findall(r"^(forecast|naive_seasonal) MAPE ([\d.]+)%", "\n".join(accuracy), re.M))
    assert set(mape) == {"forecast", "naive_seasonal"}, accuracy
    assert [line.split(" bias ")[1].split()[1:] for line in accuracy[:2]] == [
        ["orders/day", "over", "28", "days"]
    ] * 2  # both scored on the whole 28-day holdout
    assert accuracy[2].startswith("forecast MAPE / naive seasonal MAPE = "), accuracy
    ratio = float(accuracy[2].rsplit(" ", 1)[1])
    # the printed ratio is the two printed MAPEs' (each rounded to 0.1 point, the ratio to 0.01)
    forecast, naive = float(mape["forecast"]), float(mape["naive_seasonal"])
    assert (forecast - 0.05) / (naive + 0.05) - 0.005 <= ratio
    assert ratio <= (forecast + 0.05) / (naive - 0.05) + 0.005
    # a fitted model on 63 days: not degenerate, and not far worse than repeating last week
    assert 0.3 <= ratio <= 1.5, accuracy
    # couriers: every entity and the payouts to the cent against the truth; the catalog of every
    # location's assets in the sandbox's DataHub, with edges across locations
    couriers = _section(out, "Couriers: the courier app")
    assert not [line for line in couriers if "!=" in line], couriers
    assert any(line.startswith("payouts: EUR") and line.endswith("= truth") for line in couriers)
    catalog = " ".join(_section(out, "DataHub catalog of the whole platform"))
    found = re.search(r"(\d+) datasets .* (\d+) lineage edges \((\d+) across locations\)", catalog)
    assert found, catalog
    assert int(found.group(3)) > 0, catalog
    assert all(f"{location} " in catalog for location in _locations()), catalog
    assert (tmp_path / "data" / "warehouse.duckdb").exists()
    # what each location cost: every location's CPU (with its dbt and Spark children) and wall
    costs = {line.split()[0]: line.split() for line in _section(out, "Time per location")}
    assert set(_locations()) <= set(costs), costs
    assert all(float(costs[location][2]) > 0 for location in _locations()), costs


def _section(out: str, title: str) -> list[str]:
    """The lines of the summary section `== <title>...`, whitespace runs collapsed."""
    body = out.split(f"\n== {title}", 1)[1].split("\n== ", 1)[0]
    return [" ".join(line.split()) for line in body.splitlines()[1:] if line.strip()]
