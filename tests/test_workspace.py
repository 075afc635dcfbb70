"""The whole workspace: every location loads in its own environment; UI and daemon come up."""

import os
import re
import signal
import socket
import subprocess
import time
import tomllib

import httpx
import yaml

from tests.conftest import ROOT

GRAPHQL_ASSETS = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"
GRAPHQL_DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"


def _locations_in_workspace() -> list[str]:
    entries = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    return [e["python_module"]["location_name"] for e in entries]


def test_workspace_yaml_dg_toml_and_makefile_list_the_same_locations():
    dg_projects = tomllib.loads((ROOT / "dg.toml").read_text())["workspace"]["projects"]
    from_dg = [p["path"].removeprefix("projects/") for p in dg_projects]
    makefile = (ROOT / "Makefile").read_text()
    from_make = re.search(r"^LOCATIONS := (.*)$", makefile, re.M).group(1).split()
    assert _locations_in_workspace() == from_dg == from_make


def test_every_location_loads_with_its_own_interpreter():
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _query(url: str, query: str) -> dict:
    return httpx.post(url, json={"query": query}, timeout=30).json()["data"]


def test_dev_serves_every_location_on_loopback_with_a_healthy_daemon(tmp_path):
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline, keys, daemons, parents = time.monotonic() + 240, set(), {}, {}
        while time.monotonic() < deadline:
            try:
                nodes = _query(url, GRAPHQL_ASSETS)["assetNodes"]
                keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
                parents = {
                    "/".join(n["assetKey"]["path"]): {
                        "/".join(d["path"]) for d in n["dependencyKeys"]
                    }
                    for n in nodes
                }
                statuses = _query(url, GRAPHQL_DAEMONS)["instance"]["daemonHealth"]
                daemons = {d["daemonType"]: d["healthy"] for d in statuses["allDaemonStatuses"]}
                if keys and daemons.get("SENSOR") and daemons.get("SCHEDULER"):
                    break
            except (httpx.HTTPError, KeyError, TypeError):
                pass
            time.sleep(2)
        assert {"raw/marketplace_orders", "analytics/daily_order_summary"} <= keys
        assert daemons.get("SENSOR"), daemons
        assert daemons.get("SCHEDULER"), daemons
        # one global lineage graph: weather reads analytics, ml reads analytics and weather
        assert "analytics/delivery_cities" in parents["weather/all_locations"]
        assert {"analytics/daily_order_summary", "weather/fct_weather_actual"} <= parents[
            "ml/demand_forecast"
        ]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a slow shutdown is not what this test is about
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
