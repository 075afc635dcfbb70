"""`monitoring/health_checks`: every external system probed, one row per system per run."""

import dagster as dg
import pyarrow as pa

from fernway_core.alerts import Alert
from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.sinks import AlertResource
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.monitoring.probes import Probe, check_all

HEALTH_KEY = dg.AssetKey(["monitoring", "health_checks"])
HEALTH_TABLE = "monitoring.health_checks"
ALL_HEALTHY = dg.AssetCheckSpec(
    "every_system_healthy",
    asset=HEALTH_KEY,
    description="Every external system answered its probe in this run.",
)
HEALTH_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("checked_at", pa.timestamp("us", tz="UTC")),
        ("system", pa.string()),
        ("target", pa.string()),
        ("healthy", pa.bool_()),
        ("latency_ms", pa.float64()),
        ("detail", pa.string()),
    ]
)


def health_rows(run_id: str, checked_at: object, results: list[Probe]) -> pa.Table:
    """The run's results as rows of `monitoring.health_checks`."""
    return pa.Table.from_pylist(
        [
            {
                "run_id": run_id,
                "checked_at": checked_at,
                "system": r.system,
                "target": r.target,
                "healthy": r.healthy,
                "latency_ms": r.latency_ms,
                "detail": r.detail,
            }
            for r in results
        ],
        schema=HEALTH_SCHEMA,
    )


def health_alert(run_id: str, failed: list[Probe]) -> Alert:
    """One alert naming every unhealthy system and why."""
    names = ", ".join(r.system for r in failed)
    return Alert(
        title=f"Platform health: {names} unhealthy",
        text=f"{len(failed)} system(s) failed their health check: {names}.",
        severity="error",
        run_id=run_id,
        asset_key=HEALTH_KEY.to_user_string(),
        fields={r.system: f"{r.detail} ({r.target}, {r.latency_ms} ms)" for r in failed},
    )


def health_metadata(results: list[Probe]) -> dict[str, dg.MetadataValue]:
    """Per system: a latency number (plotted over runs) and a table of every result."""
    table = dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {
                    "system": r.system,
                    "healthy": r.healthy,
                    "latency_ms": r.latency_ms,
                    "detail": r.detail,
                }
            )
            for r in results
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("system", "string"),
                dg.TableColumn("healthy", "bool"),
                dg.TableColumn("latency_ms", "float"),
                dg.TableColumn("detail", "string"),
            ]
        ),
    )
    return {
        "systems": table,
        "unhealthy": dg.MetadataValue.text(", ".join(r.system for r in results if not r.healthy)),
        **{f"latency_ms/{r.system}": dg.MetadataValue.float(r.latency_ms) for r in results},
    }


@dg.asset(
    key=HEALTH_KEY,
    group_name="monitoring",
    kinds={"python", "duckdb"},
    owners=["team:couriers"],
    check_specs=[ALL_HEALTHY],
)
def health_checks(
    context: dg.AssetExecutionContext, warehouse: Warehouse, alerts: AlertResource, clock: Clock
) -> dg.MaterializeResult:
    """Health of every external system (latency, result), appended per run; alerts on failure."""
    results = check_all(get_settings(), warehouse)
    failed = [r for r in results if not r.healthy]
    rows = health_rows(context.run.run_id, clock.now(), results)
    write_error: Exception | None = None
    try:  # the record first, but an unreachable warehouse must not swallow the alert
        warehouse.replace_rows(HEALTH_TABLE, rows, "run_id = ?", [context.run.run_id])
    except Exception as exc:
        write_error = exc
    if failed:
        alerts.send(health_alert(context.run.run_id, failed))
    if write_error is not None:
        raise write_error
    for r in results:
        context.log.info(
            f"{r.system}: {'ok' if r.healthy else 'FAILED'} {r.latency_ms} ms {r.detail}"
        )
    return dg.MaterializeResult(
        metadata={**health_metadata(results), **warehouse.table_metadata(HEALTH_TABLE)},
        check_results=[
            dg.AssetCheckResult(
                check_name=ALL_HEALTHY.name,
                passed=not failed,
                metadata={"unhealthy": ", ".join(r.system for r in failed) or "none"},
            )
        ],
    )
