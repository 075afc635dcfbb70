"""Which assets a location waits for from other locations, and the wait itself."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from fernway_devtools.upstream import (
    UpstreamTimeout,
    cross_location_upstreams,
    team_of,
    wait_for_upstreams,
)

MART = dg.AssetKey(["analytics", "orders"])
OWN_TABLE = dg.AssetKey(["raw", "partner_orders"])
FACTS = dg.AssetKey(["weather", "fct_weather_actual"])


@dg.asset(deps=[MART, OWN_TABLE, FACTS], owners=["team:ml"])
def forecast() -> None:
    """Reads two other teams' assets and a table its own op job fills."""


DEFS = dg.Definitions(
    assets=[
        forecast,
        dg.AssetSpec(MART, owners=["team:analytics"]),
        dg.AssetSpec(OWN_TABLE, owners=["team:ml"]),
        dg.AssetSpec(FACTS, owners=["team:weather"]),
    ]
)


def test_a_location_waits_only_for_assets_another_team_owns() -> None:
    assert team_of("fernway_ml.definitions") == "ml"
    assert cross_location_upstreams(DEFS, "ml") == [MART, FACTS]
    # seen from the analytics team, its own mart is not waited for
    assert cross_location_upstreams(DEFS, "analytics") == [OWN_TABLE, FACTS]


def test_the_wait_ends_once_every_upstream_was_built_after_the_start() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization(MART))  # before the start
        after = time.time()
        said: list[str] = []
        ticks = iter(range(100))

        def sleep(_: float) -> None:  # the other locations build while this one sleeps
            step = next(ticks)
            if step == 1:
                instance.report_runless_asset_event(dg.AssetMaterialization(MART))
            if step == 3:
                instance.report_runless_asset_event(dg.AssetMaterialization(FACTS))

        wait_for_upstreams(instance, [MART, FACTS], after, 60, said.append, sleep=sleep)
        assert next(ticks) == 4  # it slept until the last one arrived, not longer
        assert (
            said[0] == "waiting for analytics/orders, weather/fct_weather_actual (other locations)"
        )
        assert said[-1].startswith("upstream ready after ")


def test_an_upstream_never_built_fails_with_its_name() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    never = "within 10 s: weather/fct_weather_actual"
    with dg.DagsterInstance.ephemeral() as instance, pytest.raises(UpstreamTimeout, match=never):
        wait_for_upstreams(
            instance, [FACTS], time.time(), 10, lambda _: None, lambda: now[0], sleep
        )
    assert now[0] == 10
