"""Evaluate a sensor of a loaded location once, the way the daemon would."""

from __future__ import annotations

import dagster as dg
from dagster._core.definitions.sensor_definition import SensorExecutionData


def evaluate_sensor(
    defs: dg.Definitions, instance: dg.DagsterInstance, name: str, cursor: str | None = None
) -> SensorExecutionData:
    """One tick of sensor `name` with the location's resources; returns its run requests/cursor."""
    sensor = defs.resolve_sensor_def(name)
    with dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        sensor_name=name,
        resources=defs.resources,
    ) as context:
        return sensor.evaluate_tick(context)
