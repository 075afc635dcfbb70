"""Incremental merge on updated_at: a later load reads only what changed, late updates replace
their row, a rerun duplicates nothing."""

from __future__ import annotations

import datetime as dt

from fernway_couriers.defs.courier_app.contracts import BY_NAME
from tests.conftest import START
from tests.defs.courier_app.conftest import courier_warehouse, load, metadata
from tests.defs.courier_app.test_load import assert_matches_truth

TABLES = ("couriers", "shifts", "deliveries", "payouts")
MIDWAY = dt.datetime.combine(START + dt.timedelta(days=6), dt.time(13, 30), dt.UTC)


def counts(warehouse, since: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Per table: (rows, distinct ids, rows updated at or after `since[table]`)."""
    out = {}
    for table in TABLES:
        key = BY_NAME[table].key
        (row,) = warehouse.query_arrow(
            f"select count(*) as n, count(distinct {key}) as k, "
            f"count(*) filter (where updated_at >= cast(? as timestamptz)) as s "
            f"from courier_app.{table}",
            [since[table]],
        ).to_pylist()
        out[table] = (row["n"], row["k"], row["s"])
    return out


def test_a_later_load_reads_only_what_changed_and_late_updates_replace_rows(
    courier_app_sandbox, app_defs, instance
):
    courier_app_sandbox.set_clock(MIDWAY)
    first = load(app_defs, instance)
    assert first.success
    assert all(e.passed for e in first.get_asset_check_evaluations())
    warehouse = courier_warehouse()
    before = {
        r["delivery_id"]: r
        for r in warehouse.query_arrow(
            "select delivery_id, status, tip, delivered_at from courier_app.deliveries"
        ).to_pylist()
    }
    cursors = {t: str(metadata(first, t)["cursor_after"]) for t in TABLES}
    assert metadata(first, "payouts")["dagster/row_count"] == 0  # none created by midweek 2
    assert cursors["payouts"] == "None"
    assert all(cursors[t] != "None" for t in TABLES if t != "payouts")

    courier_app_sandbox.set_clock(None)  # real time: the window is over, everything happened
    second = load(app_defs, instance)
    assert second.success
    assert all(e.passed for e in second.get_asset_check_evaluations())
    truth = courier_app_sandbox.truth["couriers"]
    assert_matches_truth(warehouse, truth)
    since = {t: str(metadata(second, t)["updated_since"]) for t in TABLES}
    assert since["payouts"] == "none (full read)"  # no cursor yet: everything
    since["payouts"] = "1970-01-01T00:00:00+00:00"
    now = counts(warehouse, since)
    for table in TABLES:
        meta = metadata(second, table)
        rows, ids, changed = now[table]
        assert rows == ids == truth[table]["count"], table  # merged, never duplicated
        # the API was asked only for what changed since the first load's cursor ...
        assert meta["records_listed"] == changed, table
        assert meta["cursor_before"] == cursors[table]
    # ... which is much less than everything (a deliveries day-range, not the window)
    assert metadata(second, "deliveries")["records_listed"] < truth["deliveries"]["count"]

    after = {
        r["delivery_id"]: r
        for r in warehouse.query_arrow(
            "select delivery_id, status, tip, delivered_at from courier_app.deliveries"
        ).to_pylist()
    }
    in_transit = [d for d, r in before.items() if r["status"] == "in_transit"]
    assert in_transit, "the midway instant caught deliveries on their way"
    assert all(after[d]["status"] == "delivered" and after[d]["delivered_at"] for d in in_transit)
    tipped_late = [d for d, r in before.items() if r["tip"] == 0 and after[d]["tip"] > 0]
    assert tipped_late, "some tips arrived after the first load and replaced the row"

    third = load(
        app_defs, instance, checks=False
    )  # nothing changed: only the cursor's own second again
    assert third.success
    assert counts(warehouse, since) == now
    last = {t: str(metadata(third, t)["updated_since"]) for t in TABLES}
    for table, (rows, ids, at_cursor) in counts(warehouse, last).items():
        assert (rows, ids) == now[table][:2]
        assert metadata(third, table)["records_listed"] == at_cursor < rows / 2, table
