"""The freshness-demand condition on a small graph and a simulated clock: when it requests,
what it leaves alone, and how it backs off after a failed run."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from fernway_growth.defs.freshness.automation import with_freshness_automation
from tests.defs.freshness.simulation import SimulatedClock

T0 = dt.datetime(2026, 8, 8, 12, 0, tzinfo=dt.UTC)
POLICY = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(minutes=5), warn_window=dt.timedelta(minutes=2)
)
BROKEN: set[str] = set()  # names of assets that raise while listed here


def _body(name: str) -> None:
    if name in BROKEN:
        raise RuntimeError(f"{name} is broken on purpose")


@dg.asset
def load() -> None:
    """Stands for a load."""
    _body("load")


@dg.asset(deps=[load])
def side() -> None:
    """Below the load, but no target below it."""


@dg.asset(deps=[load], freshness_policy=POLICY)
def mart() -> None:
    """The 5-minute target."""
    _body("mart")


@pytest.fixture
def world(instance):
    BROKEN.clear()
    defs = with_freshness_automation(dg.Definitions(assets=[load, side, mart]))
    with SimulatedClock(T0).installed() as clock:
        yield defs, instance, clock
    BROKEN.clear()


def requested(defs, instance, clock) -> set[str]:
    result = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, evaluation_time=clock.now()
    )
    keys = [dg.AssetKey(n) for n in ("load", "side", "mart")]
    return {k.to_user_string() for k in keys if result.get_num_requested(k)}


def run(defs, instance, names: set[str]) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [load, side, mart],
        selection=dg.AssetSelection.assets(*names),
        instance=instance,
        raise_on_error=False,
    )


def test_only_the_target_and_what_it_needs_are_requested_once_its_warn_window_passed(world):
    defs, instance, clock = world
    assert requested(defs, instance, clock) == {"load", "mart"}  # never materialized: due
    assert run(defs, instance, {"load", "side", "mart"}).success
    clock.advance_to(clock.timestamp() + 119)
    assert requested(defs, instance, clock) == set()
    clock.advance_to(clock.timestamp() + 2)
    assert requested(defs, instance, clock) == {"load", "mart"}  # `side` is nobody's need


def test_an_upstream_refreshed_since_the_target_became_due_is_not_requested_again(world):
    defs, instance, clock = world
    assert run(defs, instance, {"load", "mart"}).success
    clock.advance_to(clock.timestamp() + 150)
    BROKEN.add("mart")
    assert not run(defs, instance, {"load", "mart"}).success  # the load ran, the mart failed
    BROKEN.clear()
    clock.advance_to(clock.timestamp() + 90)  # past the 1-minute backoff
    assert requested(defs, instance, clock) == {"mart"}


def test_a_failed_run_is_retried_only_after_the_backoff(world):
    defs, instance, clock = world
    BROKEN.add("load")
    assert not run(defs, instance, {"load", "mart"}).success
    BROKEN.clear()
    clock.advance_to(clock.timestamp() + 30)
    assert requested(defs, instance, clock) == set()  # backing off
    clock.advance_to(clock.timestamp() + 31)
    assert requested(defs, instance, clock) == {"load", "mart"}
