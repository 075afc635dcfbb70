"""The demand report: a notebook executed with papermill, kept as .ipynb and HTML."""

import time

import dagster as dg

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_ml.defs.backtests.assets import MODEL_STATS_KEY
from fernway_ml.defs.demand.assets import ACCURACY_KEY, FORECAST_KEY
from fernway_ml.defs.reports.notebook import execute_report
from fernway_ml.defs.segmentation.assets import PROFILES_KEY

REPORT_KEY = dg.AssetKey(["ml", "demand_report"])


@dg.asset(
    key=REPORT_KEY,
    deps=[FORECAST_KEY, ACCURACY_KEY, MODEL_STATS_KEY, PROFILES_KEY],
    group_name="reports",
    kinds={"jupyter", "python"},
    owners=["team:ml"],
)
def demand_report(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Notebook report of the forecast, back-tests and segments, executed and rendered to HTML."""
    # One folder per run, so every materialization's links keep pointing at its own report.
    output_dir = get_settings().data_dir / "ml" / "reports" / context.run.run_id
    # A Postgres URL may hold a password: it is never written into the notebook; the kernel
    # inherits this process's environment and resolves the same settings.
    url = warehouse.url if warehouse.dialect == "duckdb" else ""
    from papermill.exceptions import PapermillExecutionError  # heavy: imported when run

    started = time.perf_counter()
    try:
        executed, rendered = execute_report(output_dir, {"warehouse_url": url})
    except PapermillExecutionError as exc:
        raise dg.Failure(
            description=f"report notebook failed in cell {exc.exec_count}: {exc.ename}: "
            f"{exc.evalue} (executed notebook kept at {output_dir})"
        ) from None
    return dg.MaterializeResult(
        metadata={
            "notebook": dg.MetadataValue.path(str(executed)),
            "html": dg.MetadataValue.path(str(rendered)),
            "html_url": dg.MetadataValue.url(rendered.resolve().as_uri()),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
