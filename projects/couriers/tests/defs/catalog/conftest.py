"""A real `dagster-webserver` over weather and ml (each in its own virtualenv), started once per
test session, and the catalog's definitions bound against a sandbox's DataHub stand-in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

from fernway_core.resources import shared_resources
from fernway_core.settings import find_repo_root, get_settings
from fernway_couriers.defs.catalog.asset_graph import DagsterGraphQL
from fernway_couriers.defs.catalog.assets import datahub_catalog
from fernway_couriers.defs.catalog.jobs import datahub_catalog_job
from fernway_couriers.defs.catalog.resources import catalog_resources
from fernway_couriers.defs.catalog.sensors import datahub_run_stats
from fernway_devtools.instance import write_instance
from fernway_devtools.pytest_plugin import use_sandbox

# ml declares analytics' marts and weather's fct_weather_actual as external specs: weather is
# loaded too, so its spec merges into weather's own definition; analytics is left out (the
# slowest to load), so its marts stand as ml declares them, with the contract's columns.
LOCATIONS = ("weather", "ml")
LOAD_TIMEOUT_S = 150


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workspace(root: Path, locations: tuple[str, ...]) -> dict:
    return {
        "load_from": [
            {
                "python_module": {
                    "module_name": f"fernway_{name}.definitions",
                    "attribute": "defs",
                    "location_name": name,
                    "working_directory": str(root / "projects" / name),
                    "executable_path": str(root / "projects" / name / ".venv" / "bin" / "python"),
                }
            }
            for name in locations
        ]
    }


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the webserver's process group (its code servers), SIGKILL what is left."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
    proc.wait()


@pytest.fixture(scope="session")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a webserver whose locations are all loaded (fails with its log otherwise)."""
    root = find_repo_root()
    tmp = tmp_path_factory.mktemp("catalog_webserver")
    home = tmp / "dagster_home"
    write_instance(home, root / "dagster.yaml", postgres=False)
    workspace = tmp / "workspace.yaml"
    workspace.write_text(yaml.safe_dump(_workspace(root, LOCATIONS)))
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "FERNWAY_DATA_DIR": str(tmp / "data")}
    env["FERNWAY_ENV_FILE"] = ""
    env.pop("FERNWAY_WAREHOUSE_URL", None)
    log = tmp / "webserver.log"
    command = [str(Path(sys.executable).with_name("dagster-webserver")), "-w", str(workspace)]
    command += ["-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    client = DagsterGraphQL(url=url, timeout_s=10)
    try:
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        status: dict[str, str] = {}
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = client.locations()
            except Exception:
                status = {}
            if len(status) == len(LOCATIONS) and "LOADING" not in status.values():
                break
            time.sleep(1.0)
        if sorted(status.values()) != ["LOADED"] * len(LOCATIONS):
            pytest.fail(f"webserver not ready: {status}; log tail:\n{log.read_text()[-3000:]}")
        yield url
    finally:
        _stop(proc)


@pytest.fixture
def datahub_sandbox(sandbox_factory, monkeypatch: pytest.MonkeyPatch, platform_env: Path):
    """A sandbox with the DataHub GMS stand-in, its URL and token in the settings."""
    sandbox = sandbox_factory(services=("datahub",))
    use_sandbox(monkeypatch, sandbox)
    return sandbox


@pytest.fixture
def catalog_defs(
    datahub_sandbox, webserver: str, monkeypatch: pytest.MonkeyPatch
) -> dg.Definitions:
    """The catalog's asset, job and sensor with resources bound from the settings, which point
    at the sandbox's DataHub and the test webserver."""
    monkeypatch.setenv("FERNWAY_DAGSTER_URL", webserver)
    get_settings.cache_clear()
    resources = {
        **(shared_resources().resources or {}),
        **catalog_resources(),
    }
    return dg.Definitions(
        assets=[datahub_catalog],
        jobs=[datahub_catalog_job],
        sensors=[datahub_run_stats],
        resources=resources,
    )
