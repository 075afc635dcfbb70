"""Drive the growth location's automation on a simulated clock, executing what it requests.

Dagster reads "now" through `dagster._time` (its own test seam, the one `freeze_time` patches);
`SimulatedClock` puts that clock wherever the simulation wants it. Between runs it jumps straight
to the next 30-second tick; while a run is in flight it moves with real time, so the run takes
as long as it really takes and the ticks that fall inside it see it in progress. Runs execute in
process against the real warehouse and sandbox, their events stamped with simulated time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import dagster as dg
from dagster._core.test_utils import get_freezable_log_manager

from fernway_core.clock import Clock
from fernway_growth.defs.freshness.policies import time_windows


class SimulatedClock:
    """Real time plus an offset that only grows: jumps forward, never back."""

    def __init__(self, start: dt.datetime) -> None:
        self.offset = start.timestamp() - time.time()

    def timestamp(self) -> float:
        return time.time() + self.offset

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp(), dt.UTC)

    def advance_to(self, when: float) -> None:
        """Jump to `when` unless the clock is already past it."""
        self.offset += max(0.0, when - self.timestamp())

    @contextmanager
    def installed(self) -> Iterator[SimulatedClock]:
        """Dagster's notion of now (event and run timestamps included) follows this clock."""
        with ExitStack() as stack:
            stack.enter_context(
                mock.patch("dagster._time._mockable_get_current_timestamp", new=self.timestamp)
            )
            stack.enter_context(
                mock.patch("dagster._time._mockable_get_current_datetime", new=self.now)
            )
            stack.enter_context(
                mock.patch(
                    "dagster._core.log_manager.DagsterLogManager", new=get_freezable_log_manager()
                )
            )
            yield self


RUN_TAG = "fernway/simulated_run"


@dataclass
class Run:
    """One run the automation requested, executing in its own thread."""

    number: int
    keys: frozenset[dg.AssetKey]
    requested_at: float
    thread: threading.Thread
    result: list[dg.ExecuteInProcessResult] = field(default_factory=list)

    @property
    def in_flight(self) -> bool:
        return self.thread.is_alive()

    def pending(self, instance: dg.DagsterInstance) -> frozenset[dg.AssetKey]:
        """Keys this run is still going to materialize (all of them until it has started)."""
        if not self.in_flight:
            return frozenset()
        runs = instance.get_runs(dg.RunsFilter(tags={RUN_TAG: str(self.number)}))
        if not runs:
            return self.keys
        records = instance.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=1000
        ).records
        done = {
            r.event_log_entry.dagster_event.asset_key
            for r in records
            if r.event_log_entry.dagster_event
        }
        return self.keys - done


@dataclass
class Tick:
    """What one evaluation saw and did."""

    at: float
    due: frozenset[dg.AssetKey]  # targets past their warn window, computed by the test
    requested: frozenset[dg.AssetKey]
    in_flight: frozenset[dg.AssetKey]  # keys a run still executing has yet to materialize
    ages: dict[dg.AssetKey, float]  # seconds since each target's last materialization


def targets(defs: dg.Definitions) -> dict[dg.AssetKey, tuple[float, float]]:
    """(warn, fail) seconds of every asset with a time-window freshness policy."""
    graph = defs.resolve_asset_graph()
    found = {node.key: time_windows(node.freshness_policy) for node in graph.asset_nodes}
    return {key: windows for key, windows in found.items() if windows is not None}


def last_materialized(instance: dg.DagsterInstance, key: dg.AssetKey) -> float | None:
    event = instance.get_latest_materialization_event(key)
    return event.timestamp if event else None


class Simulation:
    """Evaluate the location's automation conditions every `tick` and run what they request."""

    def __init__(
        self,
        defs: dg.Definitions,
        instance: dg.DagsterInstance,
        clock: SimulatedClock,
        on_tick: Callable[[dt.datetime], None] | None = None,
        tick: dt.timedelta = dt.timedelta(seconds=30),
    ) -> None:
        self.defs, self.instance, self.clock, self.tick = defs, instance, clock, tick
        self.on_tick = on_tick
        self.assets = list({id(a): a for a in defs.assets or []}.values())
        self.targets = targets(defs)
        self.cursor: Any = None
        self.runs: list[Run] = []
        self.ticks: list[Tick] = []

    def materialize(
        self, keys: frozenset[dg.AssetKey], number: int = 0
    ) -> dg.ExecuteInProcessResult:
        """Run `keys` now, the platform's clock resource standing at the run's start."""
        return dg.materialize(
            self.assets,
            selection=dg.AssetSelection.keys(*keys),
            resources={
                **(self.defs.resources or {}),
                "clock": Clock(fixed_at=self.clock.timestamp()),
            },
            instance=self.instance,
            tags={RUN_TAG: str(number)},
            raise_on_error=False,
        )

    def launch(self, keys: frozenset[dg.AssetKey]) -> Run:
        number = len(self.runs) + 1
        run = Run(number, keys, self.clock.timestamp(), threading.Thread(target=lambda: None))
        run.thread = threading.Thread(
            target=lambda: run.result.append(self.materialize(keys, number)), daemon=True
        )
        run.thread.start()
        self.runs.append(run)
        return run

    def due_targets(self, now: float) -> frozenset[dg.AssetKey]:
        due = set()
        for key, (warn, _) in self.targets.items():
            last = last_materialized(self.instance, key)
            if last is None or now - last >= warn:
                due.add(key)
        return frozenset(due)

    def evaluate(self) -> Tick:
        now = self.clock.timestamp()
        if self.on_tick is not None:
            self.on_tick(self.clock.now())
        in_flight = frozenset(k for run in self.runs for k in run.pending(self.instance))
        ages = {
            key: now - (last_materialized(self.instance, key) or float("-inf"))
            for key in self.targets
        }
        due = self.due_targets(now)
        result = dg.evaluate_automation_conditions(
            defs=self.defs,
            instance=self.instance,
            cursor=self.cursor,
            evaluation_time=self.clock.now(),
        )
        self.cursor = result.cursor
        graph = self.defs.resolve_asset_graph()
        requested = frozenset(
            node.key for node in graph.asset_nodes if result.get_num_requested(node.key)
        )
        tick = Tick(now, due, requested, in_flight, ages)
        self.ticks.append(tick)
        if requested:
            self.launch(requested)
        return tick

    def run_for(self, duration: dt.timedelta) -> None:
        """Tick every `self.tick` for `duration` (one evaluation per tick, a late one included),
        running what each tick requests."""
        start, step = self.clock.timestamp(), self.tick.total_seconds()
        for number in range(1, int(duration.total_seconds() // step) + 1):
            next_tick = start + number * step
            for run in [r for r in self.runs if r.in_flight]:
                # real work: the clock moves with it until the next tick is due
                run.thread.join(timeout=max(0.0, next_tick - self.clock.timestamp()))
            self.clock.advance_to(next_tick)
            self.evaluate()
        for run in self.runs:
            run.thread.join()
