"""The executor every location's jobs run on, chosen by `FERNWAY_EXECUTOR`.

`celery` sends each step to Celery workers (`make workers`) through the broker; dagster-celery is
imported only then, so a location without it installed still loads with the other executors.
Workers and the executor read the same `celery_config()`, so they always agree on broker,
backend and queue.
"""

from __future__ import annotations

import importlib
from typing import Any

import dagster as dg

from fernway_core.settings import FernwaySettings, get_settings

# A task is acknowledged only when its step has finished, and re-queued when the worker running
# it dies (SIGKILL, OOM, a lost node): the broker hands the step to another worker.
CELERY_APP_CONFIG: dict[str, Any] = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
}


def celery_config(settings: FernwaySettings | None = None) -> dict[str, Any]:
    """The celery executor's config (also the workers' `-y` file): broker, backend, queue."""
    settings = settings or get_settings()
    return {
        "broker": settings.celery_broker_url,
        "backend": settings.celery_backend_url,
        "config_source": {**CELERY_APP_CONFIG, "task_default_queue": settings.celery_queue},
    }


def executor(settings: FernwaySettings | None = None) -> dg.ExecutorDefinition:
    """The executor `FERNWAY_EXECUTOR` names, else the warehouse's default (`resolved_executor`)."""
    settings = settings or get_settings()
    if settings.resolved_executor == "in_process":
        return dg.in_process_executor
    if settings.resolved_executor == "multiprocess":
        return dg.multi_or_in_process_executor
    # only the celery mode needs dagster-celery installed (fernway-core does not depend on it)
    celery_executor: dg.ExecutorDefinition = importlib.import_module(
        "dagster_celery"
    ).celery_executor
    return celery_executor.configured(celery_config(settings), name="celery")


def with_executor(defs: dg.Definitions) -> dg.Definitions:
    """`defs` with the configured executor as the default of every job that names none."""
    return dg.Definitions.merge(defs, dg.Definitions(executor=executor()))
