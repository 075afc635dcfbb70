"""Segmentation: every customer gets a segment, profiles add up, and a seed fixes the result."""

import dagster as dg

from fernway_ml.defs.segmentation.assets import PROFILES_KEY, customer_segmentation


def _segment(warehouse, instance, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [customer_segmentation],
        resources={"warehouse": warehouse},
        run_config={"ops": {"customer_segmentation": {"config": config}}},
        instance=instance,
    )


def _segments(warehouse) -> list[dict]:
    return warehouse.query_arrow(
        "select customer_id, segment from ml.customer_segments order by customer_id"
    ).to_pylist()


def test_every_customer_gets_a_segment_and_profiles_add_up(warehouse, instance) -> None:
    result = _segment(warehouse, instance, n_clusters=4)
    (customers,) = warehouse.query_arrow("select count(*) as n from analytics.customers")[0]
    assert len(_segments(warehouse)) == customers.as_py()
    profiles = warehouse.query_arrow("select * from ml.segment_profiles order by segment")
    rows = profiles.to_pylist()
    assert [r["segment"] for r in rows] == [0, 1, 2, 3, 4]  # 0 = never ordered
    assert rows[0]["segment_label"] == "never ordered"
    assert rows[0]["mean_lifetime_orders"] == 0
    assert sum(r["customers"] for r in rows) == customers.as_py()
    revenue = [r["mean_lifetime_net_revenue"] for r in rows[1:]]
    assert revenue == sorted(revenue, reverse=True)  # segment 1 = highest value
    events = {e.asset_key: e for e in result.get_asset_materialization_events()}
    metadata = events[PROFILES_KEY].step_materialization_data.materialization.metadata
    assert metadata["profiles"].value.count("\n") == 1 + len(rows)  # header, rule, a row each


def test_segmentation_is_deterministic_for_a_seed(warehouse, instance) -> None:
    _segment(warehouse, instance, random_state=7)
    first = _segments(warehouse)
    _segment(warehouse, instance, random_state=7)
    assert _segments(warehouse) == first
