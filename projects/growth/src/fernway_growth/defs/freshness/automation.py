"""Put the freshness demand on every asset a freshness target depends on, loads included."""

from __future__ import annotations

import warnings

import dagster as dg
from dagster_shared.record import replace

from fernway_growth.defs.freshness.conditions import freshness_demand
from fernway_growth.defs.freshness.policies import time_windows


def freshness_chain(defs: dg.Definitions) -> set[dg.AssetKey]:
    """The freshness targets of `defs` and every asset upstream of one."""
    graph = defs.resolve_asset_graph()
    targets = {
        node.key for node in graph.asset_nodes if time_windows(node.freshness_policy) is not None
    }
    return targets | {key for target in targets for key in graph.get_ancestor_asset_keys(target)}


def with_freshness_automation(defs: dg.Definitions) -> dg.Definitions:
    """`defs` with `freshness_demand()` on each asset of the freshness chain.

    Applied once over the loaded definitions, so the loads (defined elsewhere in this location)
    run because a mart needs them, without each module knowing about freshness.
    """
    chain = freshness_chain(defs)
    condition = freshness_demand()

    def demand(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.key not in chain:
            return spec
        return spec.replace_attributes(automation_condition=condition)

    unique = list({id(asset): asset for asset in defs.assets or []}.values())
    with warnings.catch_warnings():  # used knowingly; not a warning on every load
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return replace(defs, assets=unique).map_resolved_asset_specs(func=demand)
