"""Test data and definitions: the three marts with good rows (DuckDB and Postgres alike), and
the quality definitions with stand-ins for the dbt models that build the marts."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.checks import (
    courier_earnings_weekly_gx,
    payout_reconciliation_gx,
    shift_utilisation_gx,
)
from fernway_couriers.defs.quality.jobs import data_quality_remediation_job
from fernway_couriers.defs.quality.marts import MARTS, Mart
from fernway_couriers.defs.quality.resources import GreatExpectations, QualityAlertInbox
from fernway_couriers.defs.quality.sensors import quality_alert_sensor

# The marts as the naming contract types them; a few rows each that satisfy every suite.
GOOD_ROWS = {
    "courier_earnings_weekly": """
        create table couriers.courier_earnings_weekly as
        select * from (values
            ('c-1', date '2026-08-03', 4::bigint, 20.00::decimal(18,2), 3.50::decimal(18,2),
             23.50::decimal(18,2)),
            ('c-1', date '2026-08-10', 1::bigint, 5.00::decimal(18,2), 0.00::decimal(18,2),
             5.00::decimal(18,2)),
            ('c-2', date '2026-08-03', 2::bigint, 9.90::decimal(18,2), 1.10::decimal(18,2),
             11.00::decimal(18,2))
        ) as t(courier_id, week_start, deliveries, fees, tips, earnings)
    """,
    "shift_utilisation": """
        create table couriers.shift_utilisation as
        select * from (values
            ('s-1', 'c-1', 'berlin', date '2026-08-03', 4.0::double precision, 4::bigint,
             3.0::double precision, 0.75::double precision),
            ('s-2', 'c-2', 'berlin', date '2026-08-04', 2.0::double precision, 0::bigint,
             0.0::double precision, 0.0::double precision),
            ('s-3', 'c-1', 'hamburg', date '2026-08-05', 8.0::double precision, 9::bigint,
             8.0::double precision, 1.0::double precision)
        ) as t(shift_id, courier_id, city_id, shift_date, shift_hours, deliveries, busy_hours,
               utilisation)
    """,
    "payout_reconciliation": """
        create table couriers.payout_reconciliation as
        select * from (values
            ('p-1', 'c-1', date '2026-08-03', date '2026-08-09', 23.50::decimal(18,2), 4::bigint,
             4::bigint, 23.50::decimal(18,2), 4::bigint, 0.00::decimal(18,2), 'matched'),
            ('p-2', 'c-2', date '2026-08-03', date '2026-08-09', 11.01::decimal(18,2), 2::bigint,
             2::bigint, 11.00::decimal(18,2), 2::bigint, 0.01::decimal(18,2), 'amount_mismatch'),
            ('p-3', 'c-1', date '2026-08-10', date '2026-08-16', 5.00::decimal(18,2), 1::bigint,
             1::bigint, 5.00::decimal(18,2), 0::bigint, 0.00::decimal(18,2), 'unmatched_orders')
        ) as t(payout_id, courier_id, period_start, period_end, payout_amount, payout_deliveries,
               delivered_deliveries, delivered_amount, matched_orders, difference, status)
    """,
}
CHECKS = [courier_earnings_weekly_gx, shift_utilisation_gx, payout_reconciliation_gx]


def build_good_mart(warehouse: Warehouse, mart: Mart) -> None:
    """(Re)create one mart with rows that satisfy its suite."""
    warehouse.execute("create schema if not exists couriers")
    warehouse.execute(f"drop table if exists {mart.table}")
    warehouse.execute(GOOD_ROWS[mart.name])


def stand_in(mart: Mart) -> dg.AssetsDefinition:
    """Stands in for the dbt model that builds `mart`: writes the good rows."""

    @dg.asset(key=mart.key)
    def _model(warehouse: Warehouse) -> None:
        build_good_mart(warehouse, mart)

    return _model


def quality_definitions(
    data_dir: Path, warehouse: Warehouse, inbox: QualityAlertInbox
) -> dg.Definitions:
    """The quality checks, job and sensor, with stand-in mart assets, bound to these places."""
    return dg.Definitions(
        assets=[stand_in(m) for m in MARTS],
        asset_checks=CHECKS,
        jobs=[data_quality_remediation_job],
        sensors=[quality_alert_sensor],
        resources={
            "warehouse": warehouse,
            "great_expectations": GreatExpectations(project_root_dir=str(data_dir)),
            "quality_alerts": inbox,
        },
    )
