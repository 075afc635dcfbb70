"""The in-process plan covers every executable asset in order, one partitioning per run."""

import datetime as dt

import dagster as dg

from fernway_devtools.plan import plan_runs

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01")
HOURLY = dg.HourlyPartitionsDefinition(start_date="2026-01-01-00:00")
SINGLE = dg.BackfillPolicy.single_run()


@dg.asset
def cities() -> None: ...


@dg.asset(deps=[cities], partitions_def=DAILY, backfill_policy=SINGLE)
def orders() -> None: ...


@dg.asset(deps=[orders])
def summary() -> None: ...


@dg.asset(deps=[summary], partitions_def=HOURLY)
def hourly() -> None: ...


external = dg.AssetSpec("external_table")


def test_runs_follow_dependencies_and_split_on_a_new_partitioning():
    defs = dg.Definitions(assets=[cities, orders, summary, hourly, external])
    runs = plan_runs(defs, dt.date(2026, 8, 1), dt.date(2026, 8, 4))
    assert [[k.to_user_string() for k in r.keys] for r in runs] == [
        ["cities", "orders", "summary"],
        ["hourly"],
    ]
    assert runs[0].partition_keys == ["2026-08-01", "2026-08-02", "2026-08-03"]
    assert runs[0].single_run is True
    assert len(runs[1].partition_keys) == 72
    assert runs[1].single_run is False, "no single-run policy: one run per partition"
