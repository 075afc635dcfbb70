"""Cross-location inputs: which assets a location reads from other teams, and waiting for them.

A location declares another team's asset as an external `AssetSpec` owned by that team
(`owners=["team:analytics"]`). The demo starts every location at once; each waits, in its own
process, until what it reads from the others has been materialized in the shared instance since
the demo began, the way a cross-location sensor waits in production. Assets a location fills
itself outside its asset graph (an op job's table) carry its own team and are not waited for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import dagster as dg

POLL_SECONDS = 1.0
REPORT_EVERY_SECONDS = 15.0


def team_of(module: str) -> str:
    """`fernway_weather.definitions` -> `weather`."""
    return module.split(".")[0].removeprefix("fernway_")


def cross_location_owners(defs: dg.Definitions, team: str) -> dict[dg.AssetKey, set[str]]:
    """External assets of `defs` that other teams own, with those teams."""
    graph = defs.resolve_asset_graph()
    owners = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_executable and not node.is_external:
            continue
        teams = {o.removeprefix("team:") for o in node.owners if o.startswith("team:")} - {team}
        if teams:
            owners[key] = teams
    return owners


def cross_location_upstreams(defs: dg.Definitions, team: str) -> list[dg.AssetKey]:
    """External assets of `defs` that another team owns, sorted."""
    return sorted(cross_location_owners(defs, team), key=lambda k: k.to_user_string())


def upstream_teams(defs: dg.Definitions, team: str) -> list[str]:
    """The other teams whose assets `defs` reads, sorted."""
    return sorted(set().union(*cross_location_owners(defs, team).values()))


class UpstreamTimeout(Exception):
    """Another location did not build what this one reads in time."""


def wait_for_upstreams(
    instance: dg.DagsterInstance,
    keys: list[dg.AssetKey],
    after: float,
    timeout: float,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Block until each key has a materialization later than `after` (epoch seconds).

    Returns the seconds waited; raises `UpstreamTimeout` naming what is still missing.
    """
    started = last_report = clock()
    missing = list(keys)
    if missing:
        say("waiting for " + ", ".join(k.to_user_string() for k in missing) + " (other locations)")
    while missing:
        latest = instance.get_latest_materialization_events(missing)
        missing = [k for k in missing if (e := latest.get(k)) is None or e.timestamp <= after]
        if not missing:
            break
        now = clock()
        if now - started >= timeout:
            names = ", ".join(k.to_user_string() for k in missing)
            raise UpstreamTimeout(f"not built by another location within {timeout:.0f} s: {names}")
        if now - last_report >= REPORT_EVERY_SECONDS:
            say("still waiting for " + ", ".join(k.to_user_string() for k in missing))
            last_report = now
        sleep(POLL_SECONDS)
    waited = clock() - started
    if keys:
        say(f"upstream ready after {waited:.0f} s")
    return waited
