"""The whole workspace: every location loads in its own environment; `make dev` serves them all
beside the sandbox and stops every process it started on Ctrl-C."""

import contextlib
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from fernway_devtools.sandbox import RECORDED_KNOBS, Knobs, record_knobs
from tests.conftest import ROOT

GRAPHQL_ASSETS = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"
GRAPHQL_DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"
GRAPHQL_EXPORT_TICKS = """{ sensorOrError(sensorSelector: {repositoryLocationName: "analytics",
    repositoryName: "__repository__", sensorName: "partner_exports_sensor"}) {
  ... on Sensor { sensorState { ticks(limit: 5) { status runIds error { message } } } } } }"""
GRAPHQL_RUN_TAGS = """query ($id: ID!) {
  runOrError(runId: $id) { ... on Run { tags { key value } } } }"""
# The last demo as the dev test's data dir records it: a small window, one partner export a day.
DEMO_DAYS = 7


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


def _query(url: str, query: str, **variables: str) -> dict:
    payload = {"query": query, "variables": variables}
    return httpx.post(url, json=payload, timeout=30).json()["data"]


def _processes_of(home: Path) -> dict[int, str]:
    """pid -> command line of every live process started with DAGSTER_HOME=home (any parent)."""
    marker = f"DAGSTER_HOME={home}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_text().replace("\0", " ")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@dataclass(frozen=True)
class Dev:
    """A running `make dev` command: its process, GraphQL URL, instance dir and output."""

    proc: subprocess.Popen
    graphql: str
    home: Path
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """`make dev`'s command on a free port, over a fresh instance and a data dir whose last demo
    served a 7-day window; up once for this module's tests (the last one stops it)."""
    tmp = tmp_path_factory.mktemp("dev")
    home, data, port = tmp / "dagster_home", tmp / "data", _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "FERNWAY_DATA_DIR": str(data)}
    env["FERNWAY_ENV"] = "local"
    env.pop("FERNWAY_WAREHOUSE_URL", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "-m", "fernway_devtools.instance"], cwd=ROOT, env=env, check=True)
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=DEMO_DAYS)
    record_knobs(Knobs(7, 2000, start, DEMO_DAYS, 600), data / RECORDED_KNOBS)
    log = tmp / "dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "fernway_devtools.dev", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    running = Dev(proc, f"http://127.0.0.1:{port}/graphql", home, log)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if _query(running.graphql, GRAPHQL_ASSETS)["assetNodes"]:
                    break
            except (httpx.HTTPError, KeyError, TypeError):
                pass
            time.sleep(2)
        else:
            pytest.fail("the UI did not come up within 300 s:\n" + running.log_tail())
        yield running
    finally:  # whatever the tests left running (nothing, when the Ctrl-C test passed)
        for pid in _processes_of(home):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_dev_serves_every_location_on_loopback_with_a_healthy_daemon(dev):
    deadline, daemons = time.monotonic() + 120, {}
    while time.monotonic() < deadline:
        try:
            statuses = _query(dev.graphql, GRAPHQL_DAEMONS)["instance"]["daemonHealth"]
            daemons = {d["daemonType"]: d["healthy"] for d in statuses["allDaemonStatuses"]}
            if daemons.get("SENSOR") and daemons.get("SCHEDULER"):
                break
        except (httpx.HTTPError, KeyError, TypeError):
            pass
        time.sleep(2)
    assert daemons.get("SENSOR"), daemons
    assert daemons.get("SCHEDULER"), daemons
    nodes = _query(dev.graphql, GRAPHQL_ASSETS)["assetNodes"]
    parents = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in nodes
    }
    assert {"raw/marketplace_orders", "analytics/daily_order_summary"} <= parents.keys()
    # one global lineage graph: weather reads analytics, ml reads analytics and weather
    assert "analytics/delivery_cities" in parents["weather/all_locations"]
    assert {"analytics/daily_order_summary", "weather/fct_weather_actual"} <= parents[
        "ml/demand_forecast"
    ]


def test_dev_serves_the_last_demos_sandbox_so_partner_export_ticks_succeed(dev):
    # The sensor is RUNNING by default: the daemon ticks it as soon as it sees it.
    deadline, ticks = time.monotonic() + 240, []
    while time.monotonic() < deadline:
        try:
            state = _query(dev.graphql, GRAPHQL_EXPORT_TICKS)["sensorOrError"]["sensorState"]
            ticks = [t for t in state["ticks"] if t["status"] != "STARTED"]
            if ticks:
                break
        except (httpx.HTTPError, KeyError, TypeError):
            pass
        time.sleep(3)
    assert ticks, "no partner_exports_sensor tick within 240 s:\n" + dev.log_tail()
    tick = ticks[-1]  # the first one
    assert tick["status"] == "SUCCESS", tick
    # It listed the sandbox's bucket: one new export file per day of the last demo's window.
    (run_id,) = tick["runIds"]
    tags = _query(dev.graphql, GRAPHQL_RUN_TAGS, id=run_id)["runOrError"]["tags"]
    assert {"key": "fernway/files", "value": str(DEMO_DAYS)} in tags


def test_ctrl_c_stops_the_ui_daemon_code_servers_and_sandbox(dev):
    started = " | ".join(_processes_of(dev.home).values())
    for program in ("fernway_sandbox serve", "dagster_webserver", "dagster._daemon run"):
        assert program in started
    # one code server per location of the workspace
    assert started.count("code-server start") == len(_locations_in_workspace())
    dev.proc.send_signal(signal.SIGINT)  # to `make dev`'s process alone: it must pass it on
    assert dev.proc.wait(timeout=150) == 0, dev.log_tail()
    assert _processes_of(dev.home) == {}
    assert dev.log_tail().rstrip().endswith("stopped")
