"""Evaluate a sensor of a loaded location once, the way the daemon would."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from fernway_devtools.locations import load_location


def evaluate_sensor(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    name: str,
    cursor: str | None = None,
    resources: Mapping[str, Any] | None = None,
) -> Any:
    """One tick of sensor `name` with the location's resources: its run requests and cursor.

    `resources` replace the location's of the same key (e.g. a `Clock` fixed at a test's "now").

    `SensorDefinition.evaluate_tick` returns Dagster's `SensorExecutionData`, whose type is not
    exported publicly; callers read `.run_requests` and `.cursor`.
    """
    sensor = defs.resolve_sensor_def(name)
    with dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        sensor_name=name,
        # only what the sensor asks for, as the daemon does: a tick never starts a Spark session
        resources={
            key: value
            for key, value in {**(defs.resources or {}), **(resources or {})}.items()
            if key in sensor.required_resource_keys
        },
    ) as context:
        return sensor.evaluate_tick(context)


def run_tags(sensor_name: str, request: dg.RunRequest) -> dict[str, str]:
    """The tags the daemon puts on a run a sensor requested (its own, sensor name, run key)."""
    tags = {**request.tags, "dagster/sensor_name": sensor_name}
    if request.run_key:
        tags["dagster/run_key"] = request.run_key
    return tags


def main(argv: list[str] | None = None) -> int:
    """One tick of a sensor against $DAGSTER_HOME's instance; optionally run what it requests.

    The cursor is kept in a file between ticks (the daemon keeps it in the instance).
    """
    parser = argparse.ArgumentParser(description=(main.__doc__ or "").partition("\n")[0])
    parser.add_argument("module")
    parser.add_argument("sensor")
    parser.add_argument("--cursor-file", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--execute", action="store_true", help="run the requested runs in process")
    args = parser.parse_args(argv)
    defs = load_location(args.module)
    cursor = args.cursor_file.read_text() if args.cursor_file.exists() else None
    runs = []
    with dg.DagsterInstance.get() as instance:
        data = evaluate_sensor(defs, instance, args.sensor, cursor)
        job_name = defs.resolve_sensor_def(args.sensor).job_name
        for request in data.run_requests or []:
            run = {"run_key": request.run_key, "job": request.job_name or job_name}
            if args.execute:
                result = defs.resolve_job_def(run["job"]).execute_in_process(
                    instance=instance,
                    run_config=request.run_config,
                    tags=run_tags(args.sensor, request),
                )
                run.update(run_id=result.run_id, success=result.success)
            runs.append(run)
    if data.cursor is not None:
        args.cursor_file.write_text(data.cursor)
    args.report.write_text(json.dumps({"run_requests": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
