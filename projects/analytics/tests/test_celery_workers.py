"""Production shape: runs queued on a Postgres instance, dequeued by the daemon, steps on Celery.

Every piece is the real one: RabbitMQ (the broker) on 127.0.0.1:5672, Postgres instance storage
and a Postgres warehouse, `dagster-daemon run` (its run queue hands the run to the default run
launcher), two `dagster-celery` workers (`fernway_devtools.workers`, as `make workers` starts
them) and the sandbox's marketplace API. The run is submitted with `dagster job launch`, so it
goes through the QueuedRunCoordinator. Each test uses its own Celery queue, so no stray worker
takes its steps.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import yaml

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools import workers as celery_workers
from fernway_devtools.instance import STORAGE_URL_VAR, write_instance
from fernway_devtools.pytest_plugin import in_ci, use_sandbox
from tests.conftest import DAYS, START

ROOT = Path(__file__).resolve().parents[3]
LOCATION_DIR = ROOT / "projects" / "analytics"
BIN = Path(sys.executable).parent
BROKER = ("127.0.0.1", 5672)
# Three independent snapshot assets: three steps a pair of workers can share.
ASSETS = {"cities": "city_id", "customers": "customer_id", "products": "product_id"}
OPS = ",".join(f"raw__marketplace_{name}" for name in ASSETS)
WORKER_KEY = "Celery worker"  # dagster-celery's engine event metadata: which worker ran a step
RUN_LIMIT_S = 240
EXPORTS_SENSOR = "partner_exports_sensor"
# Loading the location (code server, run process, each worker) is most of it: minutes on a busy
# 2-core machine.
pytestmark = pytest.mark.timeout(900)


def _broker_reachable() -> None:
    try:
        socket.create_connection(BROKER, timeout=3).close()
    except OSError as exc:
        reason = f"RabbitMQ unreachable at {BROKER[0]}:{BROKER[1]}: {exc}"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so the Celery tests must run)")
        pytest.skip(f"{reason} (set CI to turn this skip into a failure)")


@pytest.fixture
def instance_database(postgres_url: str) -> Iterator[str]:
    """A fresh database for the Dagster instance's storage, dropped afterwards."""
    name = f"fernway_test_instance_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database if exists "{name}" with (force)')


@dataclass
class ProdShape:
    """The running pieces of one test: workers, daemon, instance, sandbox and warehouse."""

    workers: list[celery_workers.Worker]
    tmp: Path
    sandbox: object
    warehouse_url: str

    def launch(self) -> str:
        """Submit the snapshot assets' run with `dagster job launch`; return its run id."""
        run_id = str(uuid.uuid4())
        tags = json.dumps({"dagster/max_retries": "1"})
        command = [
            str(BIN / "dagster"), "job", "launch", "-w", str(self.tmp / "workspace.yaml"),
            "-l", "analytics", "-j", "__ASSET_JOB", "-o", OPS, "--run-id", run_id, "--tags", tags,
        ]  # fmt: skip
        subprocess.run(command, cwd=self.tmp, check=True, capture_output=True, timeout=300)
        return run_id

    def events(self, run_id: str) -> list[dg.EventLogEntry]:
        with dg.DagsterInstance.get() as instance:
            return list(instance.all_logs(run_id))

    def wait(self, run_id: str) -> dg.DagsterRunStatus:
        """Wait for the run to finish; return its status."""
        deadline = time.monotonic() + RUN_LIMIT_S
        with dg.DagsterInstance.get() as instance:
            while time.monotonic() < deadline:
                run = instance.get_run_by_id(run_id)
                if run is not None and run.is_finished:
                    return run.status
                time.sleep(1)
        raise AssertionError(f"run {run_id} not finished in {RUN_LIMIT_S} s")

    def assert_warehouse_equals_truth(self) -> None:
        """Every snapshot table holds the sandbox's rows, each exactly once."""
        warehouse = Warehouse(url=self.warehouse_url)
        truth = self.sandbox.truth["marketplace"]  # type: ignore[attr-defined]
        for name, key in ASSETS.items():
            [row] = warehouse.query_arrow(
                f'select count(*) as n, count(distinct "{key}") as ids from raw.marketplace_{name}'
            ).to_pylist()
            assert row == {"n": truth[name]["count"], "ids": truth[name]["count"]}, name


def steps_by_worker(events: list[dg.EventLogEntry]) -> dict[str, str]:
    """Step key -> the worker that last picked it up, from dagster-celery's engine events."""
    by_step = {}
    for entry in events:
        event = entry.dagster_event
        if event is None or event.event_type_value != "ENGINE_EVENT" or not event.step_key:
            continue
        metadata = event.engine_event_data.metadata or {}
        if WORKER_KEY in metadata:
            by_step[event.step_key] = metadata[WORKER_KEY].value
    return by_step


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serving(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _start(command: list[str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def prod_shape(
    sandbox_factory,
    scratch_database: str,
    instance_database: str,
    monkeypatch: pytest.MonkeyPatch,
    platform_env: Path,
    tmp_path: Path,
) -> Iterator[ProdShape]:
    """Postgres instance + warehouse, sandbox (slow marketplace), 2 workers, the daemon."""
    _broker_reachable()
    # ~1 s per page: a step lasts long enough to be seen running on its worker
    sandbox = sandbox_factory(
        scale=3000, start=START, days=DAYS, faults={"marketplace": "latency_ms=700"}
    )
    use_sandbox(monkeypatch, sandbox)
    home = tmp_path / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=True)
    for var, value in {
        "DAGSTER_HOME": str(home),
        STORAGE_URL_VAR: instance_database,
        "FERNWAY_WAREHOUSE_URL": scratch_database,
        "FERNWAY_EXECUTOR": "celery",
        "FERNWAY_CELERY_QUEUE": f"fernway-test-{uuid.uuid4().hex[:8]}",
        # starting a run waits for its process to load the location: slow on a busy machine
        "DAGSTER_GRPC_TIMEOUT_SECONDS": "300",
    }.items():
        monkeypatch.setenv(var, value)
    get_settings.cache_clear()
    # One code server for the daemon and `dagster job launch`: the location loads once.
    port = _free_port()
    workspace = tmp_path / "workspace.yaml"
    server = {"host": "127.0.0.1", "port": port, "location_name": "analytics"}
    workspace.write_text(yaml.safe_dump({"load_from": [{"grpc_server": server}]}))
    prefix = f"t{uuid.uuid4().hex[:6]}-"
    workers = celery_workers.start(2, LOCATION_DIR, tmp_path / "workers", prefix=prefix)
    grpc = [
        str(BIN / "dagster"),
        "api",
        "grpc",
        "-m",
        "fernway_analytics.definitions",
        "-a",
        "defs",
    ]
    processes = [
        _start([*grpc, "-h", "127.0.0.1", "-p", str(port)], tmp_path / "code.log", LOCATION_DIR)
    ]
    try:
        deadline = time.monotonic() + 300
        while not _serving(port):
            assert processes[0].poll() is None, (tmp_path / "code.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the code server never served"
            time.sleep(0.5)
        # the exports sensor would start its own run on the same workers: not under test
        stop = [str(BIN / "dagster"), "sensor", "stop", "-w", str(workspace), EXPORTS_SENSOR]
        subprocess.run(stop, cwd=tmp_path, check=True, capture_output=True, timeout=300)
        daemon = [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)]
        processes.append(_start(daemon, tmp_path / "daemon.log", tmp_path))
        celery_workers.wait_ready(workers, timeout=300)
        yield ProdShape(workers, tmp_path, sandbox, scratch_database)
    finally:
        celery_workers.stop(workers)
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                # a code server still shutting down its run workers' processes: end the group
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def test_a_queued_run_spreads_its_steps_over_both_workers(prod_shape: ProdShape) -> None:
    run_id = prod_shape.launch()
    assert prod_shape.wait(run_id) == dg.DagsterRunStatus.SUCCESS
    ran_on = steps_by_worker(prod_shape.events(run_id))
    assert set(ran_on) == {f"raw__marketplace_{name}" for name in ASSETS}
    assert set(ran_on.values()) == {w.hostname for w in prod_shape.workers}
    prod_shape.assert_warehouse_equals_truth()


def test_a_worker_killed_mid_step_loses_no_work_and_duplicates_no_rows(
    prod_shape: ProdShape,
) -> None:
    run_id = prod_shape.launch()
    by_name = {w.hostname: w for w in prod_shape.workers}
    deadline = time.monotonic() + RUN_LIMIT_S
    while not (ran_on := steps_by_worker(prod_shape.events(run_id))):
        assert time.monotonic() < deadline, "no step reached a worker"
        time.sleep(0.2)
    [(step, victim)] = list(ran_on.items())[:1]
    by_name[victim].kill()  # SIGKILL: the worker, its pool process and the step in it
    assert by_name[victim].process.wait(timeout=30) < 0
    assert prod_shape.wait(run_id) == dg.DagsterRunStatus.SUCCESS
    ran_on = steps_by_worker(prod_shape.events(run_id))
    [survivor] = set(by_name) - {victim}
    # the broker handed the killed step to the other worker, which ran it to the end
    assert ran_on[step] == survivor
    assert set(ran_on) == {f"raw__marketplace_{name}" for name in ASSETS}
    prod_shape.assert_warehouse_equals_truth()
