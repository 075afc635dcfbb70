"""model_stats: all weeks back-tested in one run, idempotent per week, beats the baseline."""

import datetime as dt

import dagster as dg

from fernway_ml.defs.backtests.assets import MODEL_STATS_KEY, model_stats
from fernway_ml.defs.backtests.partitions import WEEKLY
from tests.conftest import END, START, range_tags

# Over every scored week the model must cut the naive baseline's MAPE by at least 10%
# (the sandbox's noise floor puts the ratio near 0.75).
MARGIN = 0.9
WEEKS = (END - START).days // 7


def _backfill(warehouse, instance, first: str, last: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [model_stats],
        resources={"warehouse": warehouse},
        instance=instance,
        tags=range_tags(first, last),
    )


def _stats(warehouse) -> list[dict]:
    return warehouse.query_arrow(
        "select * from ml.model_stats order by backtest_date, model"
    ).to_pylist()


def test_backfill_of_every_week_is_one_run_with_a_materialization_per_week(
    warehouse, instance
) -> None:
    last = (END - dt.timedelta(days=7)).isoformat()
    result = _backfill(warehouse, instance, START.isoformat(), last)
    assert instance.get_runs_count() == 1
    partitions = [e.partition for e in result.get_asset_materialization_events()]
    assert partitions == WEEKLY.get_partition_keys_in_range(
        dg.PartitionKeyRange(START.isoformat(), last)
    )
    assert len(partitions) == WEEKS
    assert instance.get_materialized_partitions(MODEL_STATS_KEY) == set(partitions)
    rows = _stats(warehouse)
    assert len(rows) == 2 * WEEKS
    statuses = {row["backtest_date"]: row["status"] for row in rows}
    assert list(statuses.values())[:4] == ["insufficient_history"] * 4  # < 28 days before
    assert set(list(statuses.values())[4:]) == {"ok"}
    for event in result.get_asset_materialization_events():  # each week its own figures
        metadata = event.materialization.metadata
        row = next(r for r in rows if r["backtest_date"].isoformat() == event.partition)
        assert metadata["status"].value == row["status"]
        if row["status"] == "ok":
            assert metadata["mape"].value == row["mape"]
            assert {"mae", "bias", "naive_mape", "naive_mae", "naive_bias"} <= set(metadata)
        else:
            assert "mape" not in metadata


def test_model_beats_the_naive_seasonal_baseline_over_all_scored_weeks(warehouse, instance):
    _backfill(warehouse, instance, START.isoformat(), (END - dt.timedelta(days=7)).isoformat())
    rows = [row for row in _stats(warehouse) if row["status"] == "ok"]
    mape = {
        name: sum(r["mape"] for r in rows if r["model"] == name) / (len(rows) / 2)
        for name in ("forecast", "naive_seasonal")
    }
    assert len(rows) / 2 >= 20
    assert mape["forecast"] <= MARGIN * mape["naive_seasonal"], mape


def test_rerunning_weeks_replaces_their_rows_and_keeps_the_others(warehouse, instance) -> None:
    _backfill(warehouse, instance, "2026-04-06", "2026-04-27")
    before = _stats(warehouse)
    _backfill(warehouse, instance, "2026-04-20", "2026-05-04")
    after = _stats(warehouse)
    assert len(before) == 8
    assert len(after) == 10
    assert [r for r in after if r["backtest_date"] < dt.date(2026, 4, 20)] == before[:4]
    weeks = sorted({r["backtest_date"].isoformat() for r in after})
    assert weeks == ["2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27", "2026-05-04"]


def test_a_partition_does_not_read_rows_after_its_horizon(warehouse, instance) -> None:
    dg.materialize(
        [model_stats],
        resources={"warehouse": warehouse},
        instance=instance,
        partition_key="2026-05-04",
    )
    before = _stats(warehouse)
    warehouse.execute(
        "update analytics.daily_order_summary set orders = orders * 10 where order_date >= ?",
        [dt.date(2026, 5, 11)],
    )
    dg.materialize(
        [model_stats],
        resources={"warehouse": warehouse},
        instance=instance,
        partition_key="2026-05-04",
    )
    assert _stats(warehouse) == before
