"""Freshness targets that pull upstream work: an `AutomationCondition` Dagster 1.13 lacks.

A time-window `FreshnessPolicy` is evaluated for health only, and `freshness_failed()` re-runs
the late asset alone. Here an asset is requested when a freshness target at or downstream of it
has passed its warn window (it would otherwise fail) and the asset has not been materialized
since that moment: the target's whole upstream chain, loads included, is refreshed in one run
before the fail window, and assets no target needs are never requested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import dagster as dg

from fernway_growth.defs.freshness.policies import time_windows

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph


def targets_downstream_of(graph: BaseAssetGraph, key: dg.AssetKey) -> Iterator[dg.AssetKey]:
    """`key` and every asset below it that has a time-window freshness policy."""
    seen, stack = {key}, [key]
    while stack:
        current = stack.pop()
        node = graph.get(current)
        if time_windows(node.freshness_policy) is not None:
            yield current
        for child in node.child_keys - seen:
            seen.add(child)
            stack.append(child)


def last_materialized(instance: dg.DagsterInstance, key: dg.AssetKey) -> float | None:
    """Timestamp of `key`'s latest materialization, None if it never was."""
    event = instance.get_latest_materialization_event(key)
    return event.timestamp if event else None


def due_since(instance: dg.DagsterInstance, graph: BaseAssetGraph, target: dg.AssetKey) -> float:
    """When `target` passed (or will pass) its warn window; -inf if it was never materialized."""
    windows = time_windows(graph.get(target).freshness_policy)
    assert windows is not None, f"{target.to_user_string()} has no time-window policy"
    last = last_materialized(instance, target)
    return float("-inf") if last is None else last + windows[0]


def demanding_targets(
    instance: dg.DagsterInstance, graph: BaseAssetGraph, key: dg.AssetKey, now: float
) -> list[dg.AssetKey]:
    """The targets at or below `key` that are due at `now` and that `key` has not been
    materialized for since they became due (the reason `key` is requested)."""
    last = last_materialized(instance, key)
    demanding = []
    for target in targets_downstream_of(graph, key):
        due = due_since(instance, graph, target)
        if due <= now and (last is None or last < due or key == target):
            demanding.append(target)
    return demanding


class DownstreamFreshnessDue(dg.AutomationCondition):
    """True when a freshness target at or downstream of this asset would otherwise fail."""

    @property
    def name(self) -> str:
        return "downstream_freshness_due"

    @property
    def description(self) -> str:
        return "A freshness target at or downstream of this asset passed its warn window"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        """The whole (unpartitioned) asset when some target demands it, else nothing."""
        view = context.asset_graph_view
        key = context.key
        assert isinstance(key, dg.AssetKey)
        now = context.evaluation_time.timestamp()
        demanding = demanding_targets(view.instance, context.asset_graph, key, now)
        subset = context.candidate_subset if demanding else context.get_empty_subset()
        return dg.AutomationResult(context=context, true_subset=subset)


class FailedWithin(dg.AutomationCondition):
    """True while the latest run planned for this asset failed less than `backoff` ago."""

    def __init__(self, backoff: dt.timedelta) -> None:
        self.backoff = backoff

    @property
    def name(self) -> str:
        return f"failed_within({int(self.backoff.total_seconds())}s)"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        """Whole asset while backing off after a failed run, else nothing."""
        instance = context.asset_graph_view.instance
        key = context.key
        assert isinstance(key, dg.AssetKey)
        backing_off = False
        planned = instance.get_latest_planned_materialization_info(key)
        record = instance.get_run_record_by_id(planned.run_id) if planned else None
        if record is not None and record.dagster_run.status == dg.DagsterRunStatus.FAILURE:
            ended = record.end_time or record.update_timestamp.timestamp()
            backing_off = context.evaluation_time.timestamp() - ended < self.backoff.total_seconds()
        subset = context.candidate_subset if backing_off else context.get_empty_subset()
        return dg.AutomationResult(context=context, true_subset=subset)


def freshness_demand(backoff: dt.timedelta = dt.timedelta(minutes=1)) -> dg.AutomationCondition:
    """Request the asset for a downstream freshness target, once: not while a run of it or of
    its dependencies is in progress, and not within `backoff` of a failed run."""
    return (
        DownstreamFreshnessDue()
        & ~dg.AutomationCondition.in_progress()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~FailedWithin(backoff)
    ).with_label("needed by a downstream freshness target")
