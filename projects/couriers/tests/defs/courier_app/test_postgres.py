"""The courier-app load into a Postgres warehouse: same truth, a rerun duplicates nothing."""

from __future__ import annotations

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from tests.defs.courier_app.conftest import load
from tests.defs.courier_app.test_load import assert_matches_truth


def test_load_into_postgres_matches_the_truth_and_reruns_without_duplicates(
    malformed_sandbox, postgres_warehouse, app_defs, instance
):
    warehouse = Warehouse(url=get_settings().resolved_warehouse_url)
    assert warehouse.dialect == "postgres"
    first = load(app_defs, instance)
    assert first.success
    failed = {
        (e.asset_key.to_user_string(), e.check_name)
        for e in first.get_asset_check_evaluations()
        if not e.passed
    }
    assert failed == {("courier_app/deliveries", "no_rejected_records")}
    truth = malformed_sandbox.truth["couriers"]
    rejected = warehouse.query_arrow(
        "select count(*) as n from raw.rejects where source = 'courier_app'"
    ).to_pylist()[0]["n"]
    assert rejected > 0
    deliveries = "select count(*) as n from courier_app.deliveries"
    loaded = warehouse.query_arrow(deliveries).to_pylist()[0]["n"]
    copies = sum(m["kind"] == "duplicate" for m in truth["malformed"])  # originals are loaded
    assert copies > 0
    assert loaded + rejected - copies == truth["deliveries"]["count"]
    assert load(app_defs, instance).success
    assert warehouse.query_arrow(deliveries).to_pylist()[0]["n"] == loaded
    again = warehouse.query_arrow(
        "select count(*) as n from raw.rejects where source = 'courier_app'"
    ).to_pylist()[0]["n"]
    assert again == rejected
    types = warehouse.query_arrow(
        "select column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns where table_schema = 'courier_app' "
        "and table_name = 'payouts' and column_name in ('amount', 'period_start', 'paid_at') "
        "order by column_name"
    ).to_pylist()
    assert types == [
        {
            "column_name": "amount",
            "data_type": "numeric",
            "numeric_precision": 12,
            "numeric_scale": 2,
        },
        {
            "column_name": "paid_at",
            "data_type": "timestamp with time zone",
            "numeric_precision": None,
            "numeric_scale": None,
        },
        {
            "column_name": "period_start",
            "data_type": "date",
            "numeric_precision": None,
            "numeric_scale": None,
        },
    ]


def test_payouts_in_postgres_equal_the_truth_to_the_cent(
    courier_app_sandbox, postgres_warehouse, app_defs, instance
):
    assert load(app_defs, instance, checks=False).success
    assert_matches_truth(
        Warehouse(url=get_settings().resolved_warehouse_url), courier_app_sandbox.truth["couriers"]
    )
