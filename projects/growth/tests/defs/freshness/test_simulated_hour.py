"""An hour of the freshness automation on a simulated clock, with real runs.

Every 30 simulated seconds the location's automation conditions are evaluated the way the
automation sensor evaluates them, and what they request runs in process (the real GitHub load
from the sandbox, both dbt projects, a real DuckDB). The sandbox's clock moves with the
simulation, so stars keep arriving.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import GITHUB
from tests.defs.freshness.simulation import SimulatedClock, Simulation, last_materialized

START = dt.datetime(2026, 8, 8, 12, 0, tzinfo=dt.UTC)  # inside the sandbox's window
HOUR = dt.timedelta(hours=1)
CUMULATIVE = dg.AssetKey(["growth", "cumulative_stars"])
RELEASE_STARS = dg.AssetKey(["growth", "release_stars"])
STARGAZERS = dg.AssetKey(["growth", "stargazers"])
LOADS = {dg.AssetKey(["github", t]) for t in ("repositories", "stargazers", "releases")}


# Runs execute in threads beside the ticks: compute logs are not captured, because capturing
# redirects the whole process's stdout and stderr (pytest's report included) into a run's file.
NO_COMPUTE_LOGS = {
    "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager",
        "class": "NoOpComputeLogManager",
    }
}


@pytest.fixture
def simulation(sandbox_factory, monkeypatch, platform_env):
    """The location over a sandbox whose clock follows the simulation, bootstrapped at START."""
    sandbox = sandbox_factory(**GITHUB, clock=START)
    use_sandbox(monkeypatch, sandbox)
    defs = load_location("fernway_growth.definitions")
    with (
        dg.instance_for_test(overrides=NO_COMPUTE_LOGS) as instance,
        SimulatedClock(START).installed() as clock,
    ):
        sim = Simulation(defs, instance, clock, on_tick=sandbox.set_clock)
        everything = frozenset(n.key for n in defs.resolve_asset_graph().asset_nodes)
        assert sim.materialize(everything).success  # what `make demo` leaves behind
        yield sim


def materializations(sim: Simulation, key: dg.AssetKey) -> list[float]:
    records = sim.instance.fetch_materializations(key, limit=1000).records
    return sorted(r.timestamp for r in records)


# about 20-25 minutes of real runs: `make freshness-hour`, not part of `make test`
@pytest.mark.long
@pytest.mark.timeout(2700)
def test_an_hour_of_ticks_keeps_every_target_and_runs_only_what_targets_need(simulation):
    sim = simulation
    started = time.perf_counter()
    start = sim.clock.timestamp()
    sim.run_for(HOUR)
    end = sim.clock.timestamp()
    graph = sim.defs.resolve_asset_graph()

    # at least an hour of 30-second ticks, every requested run succeeded
    assert len(sim.ticks) >= 120
    assert sim.runs, "no run was requested in an hour"
    assert all(run.result and run.result[0].success for run in sim.runs)

    # the marts are never late: between consecutive materializations (and to the end of the
    # hour) no target went longer than its fail window, whatever the ticks saw
    gaps: dict[str, int] = {}
    for key, (_, fail) in sim.targets.items():
        history = materializations(sim, key)
        points = [
            max(t for t in history if t <= start),
            *[t for t in history if start < t <= end],
            end,
        ]
        worst_gap = max(b - a for a, b in itertools.pairwise(points))
        gaps[key.to_user_string()] = round(worst_gap)
        assert worst_gap < fail, (key.to_user_string(), worst_gap, fail)
        assert max(t.ages[key] for t in sim.ticks) < fail

    # nothing runs that no target needed: each request is a due target or upstream of one
    for tick in sim.ticks:
        needed = set(tick.due) | {a for t in tick.due for a in graph.get_ancestor_asset_keys(t)}
        assert tick.requested <= needed, (tick.at - start, tick.requested - needed)

    # no duplicate request while a run holding the key is in progress (and some tick saw one)
    assert any(tick.in_flight for tick in sim.ticks), "no tick fell inside a run"
    for tick in sim.ticks:
        assert not tick.requested & tick.in_flight, (tick.at - start, tick.requested)

    # the mart without a target of its own is refreshed because release_stars needs it, and
    # the loads run because the marts need them
    requested = [run.keys for run in sim.runs]
    assert any(STARGAZERS in keys and RELEASE_STARS in keys for keys in requested)
    assert all(STARGAZERS not in keys or RELEASE_STARS in keys for keys in requested)
    load_runs = sum(bool(keys & LOADS) for keys in requested)
    assert any(CUMULATIVE in keys and RELEASE_STARS not in keys for keys in requested)

    cumulative_runs = sum(CUMULATIVE in keys for keys in requested)
    release_runs = sum(RELEASE_STARS in keys for keys in requested)
    # the 5-minute target needs a refresh at least every 5 minutes, the 10-minute one every 10;
    # refreshing on the warn window does not make it run every tick either
    assert 12 <= cumulative_runs <= 30
    assert 6 <= release_runs <= cumulative_runs
    # every refresh of a target read loads made after it became due: its data is fresh too
    loads = materializations(sim, dg.AssetKey(["github", "stargazers"]))
    for key, (warn, _) in sim.targets.items():
        history = materializations(sim, key)
        for before, refresh in itertools.pairwise(history):
            if refresh > start:
                assert any(before + warn <= t <= refresh for t in loads), (key, refresh - start)
    worst = {
        key.to_user_string(): round(max(t.ages[key] for t in sim.ticks)) for key in sim.targets
    }
    print(
        f"\nsimulated {(end - start) / 60:.1f} min in {time.perf_counter() - started:.0f} s: "
        f"{len(sim.ticks)} ticks, {len(sim.runs)} runs ({cumulative_runs} with cumulative_stars, "
        f"{release_runs} with release_stars, {load_runs} with the loads), worst age seen at a "
        f"tick (s): {worst}, worst gap between materializations (s): {gaps}"
    )
    assert last_materialized(sim.instance, CUMULATIVE) is not None
