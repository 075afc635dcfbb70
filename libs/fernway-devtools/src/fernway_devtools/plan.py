"""Plan in-process runs that cover every asset of a location, in dependency order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg


@dataclass
class PlannedRun:
    """One run: a set of assets sharing one partitions definition (or none)."""

    keys: list[dg.AssetKey]
    partitions_def: dg.PartitionsDefinition | None
    partition_keys: list[str] = field(default_factory=list)
    single_run: bool = True


def _partition_keys(
    partitions_def: dg.PartitionsDefinition, start: dt.date, end: dt.date
) -> list[str]:
    if isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        window = dg.TimeWindow(
            dt.datetime.combine(start, dt.time(), dt.UTC),
            dt.datetime.combine(end, dt.time(), dt.UTC),
        )
        return list(partitions_def.get_partition_keys_in_time_window(window))
    return list(partitions_def.get_partition_keys())


def in_groups(
    defs: dg.Definitions, only: list[str] | None = None, skip: list[str] | None = None
) -> Callable[[dg.AssetKey], bool]:
    """Whether an asset's group is among `only` (all when None) and not among `skip`."""
    graph = defs.resolve_asset_graph()

    def keep(key: dg.AssetKey) -> bool:
        group = graph.get(key).group_name
        return (only is None or group in only) and group not in (skip or [])

    return keep


def plan_runs(
    defs: dg.Definitions,
    start: dt.date,
    end: dt.date,
    keep: Callable[[dg.AssetKey], bool] | None = None,
) -> list[PlannedRun]:
    """Cut the topological order of executable assets (those `keep` keeps) into runs with one
    partitioning each."""
    graph = defs.resolve_asset_graph()
    runs: list[PlannedRun] = []
    for level in graph.toposorted_asset_keys_by_level:
        for key in sorted(level, key=lambda k: k.to_user_string()):
            node = graph.get(key)
            if not node.is_executable or node.is_external or (keep and not keep(key)):
                continue
            part = node.partitions_def
            current = runs[-1] if runs else None
            if current is None or not (
                part is None or current.partitions_def is None or part == current.partitions_def
            ):
                current = PlannedRun([], None)
                runs.append(current)
            current.keys.append(key)
            if part is not None and current.partitions_def is None:
                current.partitions_def = part
                current.partition_keys = _partition_keys(part, start, end)
            policy = node.backfill_policy
            if part is not None and (policy is None or policy.max_partitions_per_run is not None):
                current.single_run = False
    return runs
