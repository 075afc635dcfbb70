"""ml's refresh sensor under Dagster's own sensor daemon: one upstream update, one run.

The real pieces: a Dagster instance rendered from the repo's `dagster.yaml` (SQLite in a temp
`DAGSTER_HOME`), a workspace file with the analytics and ml locations as the repo's
`workspace.yaml` lists them (each a code server in its own `.venv` via `executable_path`), and
the daemon's own tick function (`execute_sensor_iteration`, what `dagster-daemon run` calls every
few seconds) creating ticks and submitting runs. Only the clock is Dagster's test clock
(`freeze_time`): the sensor's `minimum_interval_seconds=60` would otherwise make three ticks take
two minutes of waiting.

Runs go to the instance's QueuedRunCoordinator and stay QUEUED: no run-queue daemon runs here, so
no ml work executes and the test stays fast and offline. What is asserted is the run records, their
`dagster/run_key` tags and the tick records, i.e. what the daemon decided.
"""

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.assets.definition.asset_spec import AssetExecutionType
from dagster._core.remote_representation.external import RemoteSensor
from dagster._core.scheduler.instigation import InstigatorTick, TickStatus
from dagster._core.test_utils import freeze_time
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.sensor import execute_sensor_iteration

from fernway_core import marts
from fernway_devtools.instance import write_instance
from tests.conftest import ROOT

LOCATIONS = ("analytics", "ml")  # the marts' builder and the sensor's location
SENSOR = "analytics_marts_sensor"
JOB = "ml_refresh_job"
TRIGGERING_MARTS = (marts.DAILY_ORDER_SUMMARY.key, marts.CUSTOMERS.key)  # ml's TRIGGERING_MARTS
NO_NEW_MARTS = "no new materialization of the analytics marts"  # the sensor's own skip reason
RUN_KEY_TAG = "dagster/run_key"  # what the daemon deduplicates on
SENSOR_NAME_TAG = "dagster/sensor_name"
MIN_INTERVAL = dt.timedelta(seconds=60)  # the sensor's minimum_interval_seconds
LOG = logging.getLogger(__name__)
# Loading the two code servers is most of the time: ~45 s on a busy 2-core machine.
pytestmark = pytest.mark.timeout(300)


def _workspace_file(path: Path) -> Path:
    """The repo's workspace.yaml, reduced to LOCATIONS, with its relative paths made absolute."""
    entries = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    kept = []
    for entry in entries:
        module = dict(entry["python_module"])
        if module["location_name"] in LOCATIONS:
            for key in ("working_directory", "executable_path"):
                module[key] = str(ROOT / module[key])
            kept.append({"python_module": module})
    assert [e["python_module"]["location_name"] for e in kept] == list(LOCATIONS)
    path.write_text(yaml.safe_dump({"load_from": kept}))
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkspaceProcessContext]:
    """The analytics and ml code servers over a fresh instance; only ml's sensor left running.

    Loaded once for the module (the code servers take most of its time); only the second test
    writes to the instance.
    """
    tmp_path = tmp_path_factory.mktemp("daemon")
    home = tmp_path / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=False)
    target = WorkspaceFileTarget(paths=[str(_workspace_file(tmp_path / "workspace.yaml"))])
    with pytest.MonkeyPatch.context() as monkeypatch:
        # the instance and the code servers (which inherit the environment) read these
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        monkeypatch.setenv("FERNWAY_DATA_DIR", str(tmp_path / "data"))
        yield from _loaded(target)


def _loaded(target: WorkspaceFileTarget) -> Iterator[WorkspaceProcessContext]:
    with (
        dg.DagsterInstance.get() as instance,
        WorkspaceProcessContext(instance, target) as context,
    ):
        request = context.create_request_context()
        errors = {
            name: entry.load_error
            for name, entry in request.get_code_location_entries().items()
            if entry.load_error
        }
        assert not errors, errors
        # Every other sensor that defaults to RUNNING is stopped, as `dagster sensor stop` would
        # (analytics' export sensor would reach for S3): the daemon ticks only the one under test.
        for name in LOCATIONS:
            for sensor in _repository(context, name).get_sensors():
                if sensor.name != SENSOR and not sensor.sensor_type.is_handled_by_asset_daemon:
                    instance.stop_sensor(sensor.get_remote_origin_id(), sensor.selector_id, sensor)
        yield context


def _repository(context: WorkspaceProcessContext, location: str):
    code_location = context.create_request_context().get_code_location(location)
    [repository] = code_location.get_repositories().values()
    return repository


def _sensor(context: WorkspaceProcessContext) -> RemoteSensor:
    return _repository(context, "ml").get_sensor(SENSOR)


class Daemon:
    """The sensor daemon's iteration, run once per call at a clock one interval later."""

    def __init__(self, context: WorkspaceProcessContext) -> None:
        self.context = context
        self.now = dt.datetime.now(dt.UTC)

    def ticks(self) -> list[InstigatorTick]:
        """The sensor's ticks, oldest first."""
        sensor = _sensor(self.context)
        ticks = self.context.instance.get_ticks(sensor.get_remote_origin_id(), sensor.selector_id)
        return sorted(ticks, key=lambda t: t.timestamp)

    def tick(self) -> InstigatorTick:
        """One daemon iteration; exactly one new tick of the sensor, finished."""
        before = len(self.ticks())
        with freeze_time(self.now):
            for _ in execute_sensor_iteration(self.context, LOG, None, None):
                pass
        self.now += MIN_INTERVAL + dt.timedelta(seconds=1)
        ticks = self.ticks()
        assert len(ticks) == before + 1, "the daemon did not tick the sensor"
        assert ticks[-1].status != TickStatus.FAILURE, ticks[-1].error
        return ticks[-1]


def _refresh_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={SENSOR_NAME_TAG: SENSOR}))
    return sorted(runs, key=lambda r: instance.get_run_record_by_id(r.run_id).create_timestamp)


def _started(tick: InstigatorTick, instance: dg.DagsterInstance) -> dg.DagsterRun:
    """The one run `tick` created: ml's refresh, queued, tagged with the tick's run key."""
    assert tick.status == TickStatus.SUCCESS, tick.skip_reason
    assert len(tick.run_ids) == 1, tick.run_ids
    assert len(tick.run_keys) == 1, f"the request had no run key: {tick.run_keys}"
    [run_id], [run_key] = tick.run_ids, tick.run_keys
    run = instance.get_run_by_id(run_id)
    assert run is not None
    assert (run.job_name, run.status) == (JOB, dg.DagsterRunStatus.QUEUED)
    assert run.tags[RUN_KEY_TAG] == run_key
    return run


class _UpstreamRun:
    """A run of stand-ins for the two marts, paused between them (a background thread).

    Constructing it returns once daily_order_summary is materialized and customers' step is
    running; `finish()` lets customers complete and waits for the run to succeed.
    """

    def __init__(self, instance: dg.DagsterInstance) -> None:
        started, self.release = threading.Event(), threading.Event()
        self.result: dg.ExecuteInProcessResult | None = None

        @dg.asset(key=marts.DAILY_ORDER_SUMMARY.key)
        def daily_order_summary() -> dg.MaterializeResult:
            return dg.MaterializeResult()

        @dg.asset(key=marts.CUSTOMERS.key, deps=[daily_order_summary])
        def customers() -> dg.MaterializeResult:
            started.set()
            assert self.release.wait(timeout=60)
            return dg.MaterializeResult()

        def run() -> None:
            self.result = dg.materialize([daily_order_summary, customers], instance=instance)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert started.wait(timeout=60), "the upstream run did not reach its second asset"
        [record] = instance.fetch_materializations(marts.DAILY_ORDER_SUMMARY.key, limit=1).records
        self.run_id = record.run_id
        assert self.run_id

    def finish(self) -> None:
        self.release.set()
        self.thread.join(timeout=60)
        assert self.result is not None
        assert self.result.success
        assert self.result.run_id == self.run_id


def test_the_upstream_marts_are_built_by_analytics_and_only_declared_by_ml(workspace):
    """The keys the sensor watches are analytics' materializable assets, ml's external specs."""
    kinds = {
        location: {
            node.asset_key: node.execution_type
            for node in _repository(workspace, location).get_asset_node_snaps()
            if node.asset_key in TRIGGERING_MARTS
        }
        for location in LOCATIONS
    }
    built = AssetExecutionType.MATERIALIZATION
    assert kinds["analytics"] == dict.fromkeys(TRIGGERING_MARTS, built)
    assert kinds["ml"] == dict.fromkeys(TRIGGERING_MARTS, AssetExecutionType.UNEXECUTABLE)


def test_an_upstream_update_seen_over_two_daemon_ticks_starts_one_ml_refresh(workspace):
    """Cursor: the second tick has nothing new; run key: a run's marts split over two ticks."""
    instance = workspace.instance
    daemon = Daemon(workspace)
    # never started by hand: default_status=RUNNING is what makes the daemon tick it
    first_tick = daemon.tick()
    assert (first_tick.status, first_tick.skip_reason) == (TickStatus.SKIPPED, NO_NEW_MARTS)

    # 1. one update (both marts, runless as an external load would report them), two ticks
    for key in TRIGGERING_MARTS:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    first = _started(daemon.tick(), instance)
    again = daemon.tick()
    # the sensor's cursor stopped it: no request reached Dagster (no run key on the tick)
    assert (again.status, again.skip_reason, again.run_keys) == (
        TickStatus.SKIPPED,
        NO_NEW_MARTS,
        [],
    )
    assert [r.run_id for r in _refresh_runs(instance)] == [first.run_id]

    # 2. one upstream run whose marts land on either side of a tick: both ticks request the
    # refresh with the same run key (the upstream run's), and Dagster launches it once
    upstream = _UpstreamRun(instance)
    second = _started(daemon.tick(), instance)  # saw daily_order_summary only
    assert second.tags[RUN_KEY_TAG] != first.tags[RUN_KEY_TAG]
    assert second.tags["fernway/upstream_runs"] == upstream.run_id
    upstream.finish()  # customers materialized by the same run, after the tick
    deduplicated = daemon.tick()
    assert deduplicated.status == TickStatus.SKIPPED
    assert deduplicated.run_keys == [second.tags[RUN_KEY_TAG]]  # requested again ...
    assert deduplicated.run_ids == []  # ... and skipped by Dagster: a run has that key
    assert deduplicated.skip_reason is None
    assert [r.run_id for r in _refresh_runs(instance)] == [first.run_id, second.run_id]

    quiet = daemon.tick()
    assert (quiet.status, quiet.skip_reason) == (TickStatus.SKIPPED, NO_NEW_MARTS)
    assert len(_refresh_runs(instance)) == 2
