"""`FERNWAY_EXECUTOR` picks the executor every location's jobs run on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import dagster as dg
import pytest

from fernway_core.executors import CELERY_APP_CONFIG, celery_config, executor, with_executor
from fernway_core.settings import validate_settings


@dg.asset
def one() -> int:
    """A trivial asset for a job to run."""
    return 1


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # a DuckDB warehouse (the default): the steps share the run's process and its file
        ({}, dg.in_process_executor),
        # Postgres: a process per step
        (
            {"FERNWAY_WAREHOUSE_URL": "postgresql://fernway@db.internal/fernway"},
            dg.multi_or_in_process_executor,
        ),
        # an explicit executor wins over the warehouse's default
        ({"FERNWAY_EXECUTOR": "multiprocess"}, dg.multi_or_in_process_executor),
    ],
    ids=["duckdb_default", "postgres_default", "explicit_choice"],
)
def test_the_executor_follows_the_warehouse_unless_one_is_named(
    repo: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: object
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    validate_settings()
    assert executor() is expected


def test_in_process_becomes_every_jobs_executor(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_EXECUTOR", "in_process")
    validate_settings()
    defs = with_executor(dg.Definitions(assets=[one], jobs=[dg.define_asset_job("j", [one])]))
    assert defs.resolve_job_def("j").executor_def is dg.in_process_executor
    assert defs.resolve_job_def("j").execute_in_process().success


def test_celery_config_is_what_the_settings_say(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_CELERY_BROKER_URL", "amqp://rabbit.internal:5672/prod")
    monkeypatch.setenv("FERNWAY_CELERY_BACKEND_URL", "redis://cache.internal:6379/1")
    monkeypatch.setenv("FERNWAY_CELERY_QUEUE", "analytics")
    config = celery_config(validate_settings())
    assert config == {
        "broker": "amqp://rabbit.internal:5672/prod",
        "backend": "redis://cache.internal:6379/1",
        "config_source": {
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "task_default_queue": "analytics",
        },
    }
    assert CELERY_APP_CONFIG["task_acks_late"] is True


@pytest.mark.skipif(
    importlib.util.find_spec("dagster_celery") is not None,
    reason="dagster-celery is installed here; the locations' own tests cover the celery mode",
)
def test_celery_mode_without_dagster_celery_fails_at_load(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERNWAY_EXECUTOR", "celery")
    validate_settings()
    with pytest.raises(ModuleNotFoundError, match="dagster_celery"):
        executor()
