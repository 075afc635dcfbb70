"""Two locations end to end: an analytics run starts the ml refresh through ml's sensor, once."""

import datetime as dt
import json
import os
import subprocess
import sys

from fernway_core.warehouse import Warehouse
from tests.conftest import ROOT

DAYS = 63  # the forecast needs 28 training days before its 28-day holdout


def _in_location(location: str, env: dict, *args: str) -> None:
    python = ROOT / "projects" / location / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", *args],
        cwd=ROOT / "projects" / location,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


# What ml reads (the dbt marts) and what they are built from; the Spark and marketing groups
# read the marts too but ml never waits for them.
NOT_READ_BY_ML = ("--skip-group", "spark", "--skip-group", "marketing")
# A later update of the marts: dbt rebuilds them over the raw tables already loaded.
MARTS_ONLY = ("--only-group", "transform")


def _materialize_analytics(
    env: dict, start: dt.date, end: dt.date, report, groups: tuple[str, ...]
) -> None:
    _in_location(
        "analytics",
        env,
        "fernway_devtools.materialize",
        "fernway_analytics.definitions",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--report",
        str(report),
        *groups,
    )


def _tick_ml_sensor(env: dict, tmp_path, n: int) -> list[dict]:
    report = tmp_path / f"tick{n}.json"
    _in_location(
        "ml",
        env,
        "fernway_devtools.sensors",
        "fernway_ml.definitions",
        "analytics_marts_sensor",
        "--cursor-file",
        str(tmp_path / "cursor"),
        "--report",
        str(report),
        "--execute",
    )
    return json.loads(report.read_text())["run_requests"]


def test_each_analytics_update_starts_the_ml_refresh_exactly_once(tmp_path, sandbox_factory):
    end = dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=DAYS)
    sandbox = sandbox_factory(scale=3000, start=start, days=DAYS)
    env = {
        **os.environ,
        **sandbox.env(),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FERNWAY_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("FERNWAY_WAREHOUSE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "fernway_devtools.instance"], cwd=ROOT, env=env, check=True
    )
    assert _tick_ml_sensor(env, tmp_path, 0) == []  # nothing upstream yet

    _materialize_analytics(env, start, end, tmp_path / "analytics1.json", NOT_READ_BY_ML)
    [first] = _tick_ml_sensor(env, tmp_path, 1)
    assert (first["job"], first["success"]) == ("ml_refresh_job", True)
    assert _tick_ml_sensor(env, tmp_path, 2) == []  # the same update never starts it twice
    # the refresh ran on what analytics built: the default 14-day forecast from the day after
    # the marts' last day, both models scored, every customer segmented
    warehouse = Warehouse(url=f"duckdb:///{tmp_path / 'data' / 'warehouse.duckdb'}")
    [built] = warehouse.query_arrow(
        "select (select count(*) from ml.demand_forecast) as days, "
        "(select min(forecast_date) from ml.demand_forecast) as first_day, "
        "(select max(order_date) + 1 from analytics.daily_order_summary) as day_after, "
        "(select string_agg(model, ',' order by model) from ml.forecast_accuracy) as models, "
        "(select count(*) from ml.customer_segments) as segmented, "
        "(select count(*) from analytics.customers) as customers"
    ).to_pylist()
    assert (built["days"], built["first_day"]) == (14, built["day_after"])
    assert built["models"] == "forecast,naive_seasonal"
    assert built["segmented"] == built["customers"] > 0

    _materialize_analytics(env, start, end, tmp_path / "analytics2.json", MARTS_ONLY)
    [second] = _tick_ml_sensor(env, tmp_path, 3)
    assert second["success"]
    assert second["run_key"] != first["run_key"]
    assert _tick_ml_sensor(env, tmp_path, 4) == []
