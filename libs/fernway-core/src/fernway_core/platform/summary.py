"""The demo's closing report: tables and row counts, checks, truth comparison, next steps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fernway_core.settings import FernwaySettings
from fernway_core.warehouse import Warehouse

NEXT_STEPS = """
Next:
  make dev     open the UI (http://127.0.0.1:3000) with schedules, sensors and automation live
  make test    run every test suite
  make bench   measure the performance figures (bench/results.json)
"""


def table_counts(warehouse: Warehouse) -> list[tuple[str, int]]:
    """Every table and view in the warehouse's own schemas with its row count."""
    names = (
        warehouse.query_arrow(
            "select table_schema || '.' || table_name as name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog', 'main', 'public') "
            "order by 1"
        )
        .column("name")
        .to_pylist()
    )
    return [(n, warehouse.table_metadata(n)["dagster/row_count"]) for n in names]


def truth_comparison(warehouse: Warehouse, truth_path: Path) -> list[tuple[str, int, int]]:
    """(what, in warehouse incl. rejects, at source) for the sandbox's ground truth."""
    truth = json.loads(truth_path.read_text())
    loaded = warehouse.query_arrow(
        "select (select count(*) from raw.marketplace_orders) as orders, "
        "(select count(*) from raw.rejects where entity = 'orders') as rejected, "
        "(select count(*) from raw.partner_orders) as partner, "
        "(select count(*) from raw.rejects where entity = 'partner_orders') as partner_rejected"
    ).to_pylist()[0]
    return [
        (
            "marketplace orders",
            loaded["orders"] + loaded["rejected"],
            truth["marketplace"]["orders"]["count"],
        ),
        (
            "partner orders",
            loaded["partner"] + loaded["partner_rejected"],
            truth["s3"]["partner_orders"]["count"],
        ),
    ]


def weather_coverage(
    warehouse: Warehouse, start: dt.date, end: dt.date
) -> tuple[int, int, int] | None:
    """(cities, hours, city-hours in fct_weather_actual) over [start, end); None without it."""
    if not warehouse.table_exists("weather.fct_weather_actual"):
        return None
    bounds = [dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())]
    [row] = warehouse.query_arrow(
        "select (select count(*) from weather.all_locations) as cities, "
        "(select count(*) from (select distinct city_id, observed_hour "
        "from weather.fct_weather_actual where observed_hour >= ? and observed_hour < ?) "
        "as city_hours) as covered",
        bounds,
    ).to_pylist()
    return row["cities"], (end - start).days * 24, row["covered"]


def forecast_accuracy(warehouse: Warehouse) -> list[dict] | None:
    """The ml location's holdout accuracy, model vs naive seasonal baseline; None without it."""
    if not warehouse.table_exists("ml.forecast_accuracy"):
        return None
    return warehouse.query_arrow(
        "select model, mape, mae, bias, scored_days from ml.forecast_accuracy order by model"
    ).to_pylist()


def print_forecast_accuracy(rows: list[dict]) -> None:
    """Forecast vs naive seasonal baseline on the holdout, and their MAPE ratio."""
    print("\n== Demand forecast accuracy (holdout; lower is better)")
    for row in rows:
        print(
            f"  {row['model']:<16} MAPE {float(row['mape']):6.1%}  MAE {float(row['mae']):8.1f}"
            f"  bias {float(row['bias']):+8.1f} orders/day over {row['scored_days']} days"
        )
    by_model = {row["model"]: float(row["mape"]) for row in rows}
    if by_model.get("naive_seasonal"):
        ratio = by_model.get("forecast", float("nan")) / by_model["naive_seasonal"]
        print(f"  forecast MAPE / naive seasonal MAPE = {ratio:.2f}")


def print_alerts(alerts: list[dict]) -> None:
    """The Slack messages the sandbox recorded (the alert drill's among them)."""
    print(f"\n== Slack messages recorded by the sandbox: {len(alerts)}")
    for message in alerts:
        print(f"  {message.get('channel_name', message.get('channel'))}:")
        for line in str(message.get("text", "")).splitlines()[:6]:
            print(f"    {line}")


def print_summary(
    settings: FernwaySettings,
    reports: dict[str, Path],
    seconds: float,
    window: tuple[dt.date, dt.date] | None = None,
    alerts: list[dict] | None = None,
) -> int:
    """Print the summary; return the demo's exit code."""
    runs = [r for path in reports.values() if path.exists() for r in json.loads(path.read_text())]
    warehouse = Warehouse(url=settings.resolved_warehouse_url)
    print("\n== Tables")
    for name, rows in table_counts(warehouse):
        print(f"  {name:<50} {rows:>12,}")
    checks = [c for r in runs for c in r["checks"]]
    failed = [c for c in checks if not c["passed"]]
    print(f"\n== Checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    for c in failed:
        level = "BLOCKING " if c["blocking"] else ""
        print(f"  {level}{c['severity']}: {c['asset']} / {c['check']}")
    truth = settings.data_dir / "sandbox_truth.json"
    mismatch = False
    if truth.exists():
        print("\n== Ground truth (warehouse incl. rejects vs sandbox)")
        for what, got, want in truth_comparison(warehouse, truth):
            mismatch |= got != want
            print(f"  {what:<20} {got:>12,} {'=' if got == want else '!='} {want:,}")
    coverage = weather_coverage(warehouse, *window) if window else None
    if coverage:
        cities, hours, covered = coverage
        expected = cities * hours
        mismatch |= covered != expected
        verdict = "= every city and hour" if covered == expected else f"!= {expected:,}"
        print(
            f"\n== Weather facts: {covered:,} city-hours of {cities} cities x {hours:,} hours "
            f"{verdict}"
        )
    accuracy = forecast_accuracy(warehouse)
    if accuracy:
        print_forecast_accuracy(accuracy)
    if alerts is not None:
        print_alerts(alerts)
    bad_runs = [r for r in runs if not r["success"]]
    incomplete = len(reports) == 0 or any(not p.exists() for p in reports.values())
    print(f"\n== Runs: {len(runs)} ({len(bad_runs)} failed); wall time {seconds:.0f} s")
    for r in bad_runs:
        print(f"  FAILED: {r['label']} (run {r['run_id']})")
    blocking_failed = any(c["blocking"] and not c["passed"] for c in checks)
    print(NEXT_STEPS)
    return 1 if bad_runs or blocking_failed or mismatch or incomplete else 0
