"""`pipeline_monitoring` probes every external system for real and records what it saw."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.alerts import ALERTS_FILE, read_alerts
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools.pytest_plugin import failed_check

SYSTEMS = {"marketplace", "courier_app", "github", "weather", "slack", "datahub", "s3", "warehouse"}


def run_monitoring(defs: dg.Definitions, instance: dg.DagsterInstance, **kwargs: object):
    return defs.resolve_job_def("pipeline_monitoring").execute_in_process(
        instance=instance, raise_on_error=False, **kwargs
    )


def recorded(warehouse: Warehouse, run_id: str) -> dict[str, dict]:
    rows = warehouse.query_arrow(
        "select * from monitoring.health_checks where run_id = ?", [run_id]
    ).to_pylist()
    return {row["system"]: row for row in rows}


def test_every_system_is_healthy_against_the_sandbox(monitoring_defs, instance, warehouse):
    result = run_monitoring(monitoring_defs, instance)
    assert result.success
    rows = recorded(warehouse, result.run_id)
    assert set(rows) == SYSTEMS
    for system, row in rows.items():
        assert row["healthy"], f"{system}: {row['detail']}"
        assert row["latency_ms"] > 0
    assert rows["courier_app"]["target"] == get_settings().couriers_url
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    (materialization,) = result.asset_materializations_for_node("monitoring__health_checks")
    assert {f"latency_ms/{s}" for s in SYSTEMS} <= set(materialization.metadata)
    assert read_alerts(Path(get_settings().data_dir) / ALERTS_FILE) == []


@pytest.mark.fails_check("monitoring/health_checks", "every_system_healthy")
def test_a_failing_datahub_is_recorded_unhealthy_and_alerted_by_name(
    monitoring_defs, health_env, instance, warehouse
):
    health_env.set_faults("datahub", "error_rate=1.0")
    result = run_monitoring(monitoring_defs, instance)
    assert result.success  # the run records the outage; it does not fail on it
    rows = recorded(warehouse, result.run_id)
    unhealthy = {s for s, row in rows.items() if not row["healthy"]}
    assert unhealthy == {"datahub"}
    assert re.fullmatch(
        r"HttpError: GET http://\S+/config failed after 1 attempts; last: 5\d\d .+",
        rows["datahub"]["detail"],
    )
    failed = failed_check(result, "monitoring/health_checks", "every_system_healthy")
    assert failed.metadata["unhealthy"].value == "datahub"
    (alert,) = read_alerts(Path(get_settings().data_dir) / ALERTS_FILE)
    assert alert["title"] == "Platform health: datahub unhealthy"
    assert set(alert["fields"]) == {"datahub"}
    assert alert["run_id"] == result.run_id


def test_a_wrong_courier_app_url_is_recorded_unhealthy(
    health_env, monkeypatch, instance, warehouse
):
    from fernway_core.resources import shared_resources
    from fernway_couriers.defs.monitoring.assets import health_checks
    from fernway_couriers.defs.monitoring.jobs import pipeline_monitoring

    closed = health_env.urls["couriers"].rsplit(":", 1)[0] + ":9"  # discard port: refused
    monkeypatch.setenv("FERNWAY_COURIERS_URL", closed)
    get_settings.cache_clear()
    defs = dg.Definitions(
        assets=[health_checks], jobs=[pipeline_monitoring], resources=shared_resources().resources
    )
    result = run_monitoring(defs, instance)
    rows = recorded(warehouse, result.run_id)
    assert {s for s, row in rows.items() if not row["healthy"]} == {"courier_app"}
    assert rows["courier_app"]["target"] == closed
    (alert,) = read_alerts(Path(get_settings().data_dir) / ALERTS_FILE)
    assert "courier_app" in alert["title"]


def test_a_rerun_with_the_same_run_id_replaces_its_rows(monitoring_defs, warehouse):
    run_id = str(uuid.uuid4())
    for _ in range(2):  # two instances: the same run id recorded twice, as a re-executed step
        with dg.instance_for_test() as fresh:
            assert run_monitoring(monitoring_defs, fresh, run_id=run_id).success
    (count,) = (
        warehouse.query_arrow(
            "select count(*) as n from monitoring.health_checks where run_id = ?", [run_id]
        )
        .column("n")
        .to_pylist()
    )
    assert count == len(SYSTEMS)
