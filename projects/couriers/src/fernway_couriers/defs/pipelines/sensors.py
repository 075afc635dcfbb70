"""The emergency refresh says so loudly: when a run of it starts, one alert, and every check it
skips recorded as skipped.

Dagster records a check's execution only for runs whose plan holds the check; the emergency
refresh leaves every check out, so those checks get no evaluation from it (never a pass), and
each check's last result stays attached to an older materialization (the UI shows the check as
not evaluated for the refreshed data). This sensor sees the whole location (the refresh's own
graph has no checks), so it names them: a `skipped` row per check and run in
`monitoring.validation_bypasses`, an observation on each refreshed asset, and the alert.
"""

import dagster as dg
import pyarrow as pa

from fernway_core.alerts import Alert
from fernway_core.clock import Clock
from fernway_core.sinks import AlertResource
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.pipelines.jobs import (
    BYPASSED,
    VALIDATION_TAG,
    emergency_data_refresh,
)
from fernway_couriers.defs.pipelines.selections import UNVALIDATED_REFRESH

BYPASS_TABLE = "monitoring.validation_bypasses"
BYPASS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("job_name", pa.string()),
        ("recorded_at", pa.timestamp("us", tz="UTC")),
        ("asset_key", pa.string()),
        ("check_name", pa.string()),
        ("status", pa.string()),
    ]
)


def refreshed_and_skipped(
    location: dg.RepositoryDefinition, run: dg.DagsterRun, instance: dg.DagsterInstance
) -> tuple[list[dg.AssetKey], list[dg.AssetCheckKey]]:
    """The assets the run refreshes, and every check of the location on them that the run does
    not execute (no execution record of it for this run: Dagster records a check planned in a
    run when the run is created)."""
    graph = location.asset_graph
    selected = run.asset_selection or UNVALIDATED_REFRESH.resolve(graph)
    refreshed = sorted(selected, key=lambda k: k.to_user_string())
    storage = instance.event_log_storage
    skipped = sorted(
        (
            key
            for key in graph.asset_check_keys
            if key.asset_key in selected
            and run.run_id
            not in {r.run_id for r in storage.get_asset_check_execution_history(key, limit=50)}
        ),
        key=lambda k: k.to_user_string(),
    )
    return refreshed, skipped


def bypass_alert(run: dg.DagsterRun, skipped: list[dg.AssetCheckKey]) -> Alert:
    """The warning that this run bypasses validation, naming the skipped checks."""
    names = [k.to_user_string() for k in skipped]
    return Alert(
        title=f"VALIDATION BYPASSED: {run.job_name} is running",
        text=f"Run {run.run_id} loads and transforms without validation; "
        f"{len(names)} check(s) skipped, none of them passed.",
        severity="warning",
        run_id=run.run_id,
        fields={"job": run.job_name, "skipped_checks": names or ["(no checks defined)"]},
    )


def bypass_rows(run: dg.DagsterRun, now: object, skipped: list[dg.AssetCheckKey]) -> pa.Table:
    """One `skipped` row per check the run bypasses."""
    return pa.Table.from_pylist(
        [
            {
                "run_id": run.run_id,
                "job_name": run.job_name,
                "recorded_at": now,
                "asset_key": key.asset_key.to_user_string(),
                "check_name": key.name,
                "status": "skipped",
            }
            for key in skipped
        ],
        schema=BYPASS_SCHEMA,
    )


@dg.run_status_sensor(
    name="validation_bypass_alert",
    run_status=dg.DagsterRunStatus.STARTED,
    monitored_jobs=[emergency_data_refresh],
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="When an emergency refresh starts: one alert and a `skipped` row per check it "
    "bypasses (monitoring.validation_bypasses).",
)
def validation_bypass_alert(
    context: dg.RunStatusSensorContext, alerts: AlertResource, warehouse: Warehouse, clock: Clock
) -> None:
    """Alert, record the skipped checks, and mark each refreshed asset as unvalidated."""
    run = context.dagster_run
    if run.tags.get(VALIDATION_TAG) != BYPASSED or context.repository_def is None:
        return
    refreshed, skipped = refreshed_and_skipped(context.repository_def, run, context.instance)
    alerts.send(bypass_alert(run, skipped))
    rows = bypass_rows(run, clock.now(), skipped)
    warehouse.replace_rows(BYPASS_TABLE, rows, "run_id = ?", [run.run_id])
    for asset_key in refreshed:
        names = ", ".join(k.name for k in skipped if k.asset_key == asset_key) or "none"
        context.instance.report_runless_asset_event(
            dg.AssetObservation(
                asset_key=asset_key,
                metadata={VALIDATION_TAG: BYPASSED, "run_id": run.run_id, "skipped_checks": names},
            )
        )
