"""The demo's closing report: tables, checks, each location's own section, alerts, next steps.

The shared part names no location's tables: a location adds its section (ground truth,
coverage, accuracy) through `fernway_<team>.summary.summary`, run by the materializer in the
location's own environment and stored in its report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fernway_core.settings import FernwaySettings
from fernway_core.warehouse import Warehouse

NEXT_STEPS = """
Next:
  make dev     open the UI (http://127.0.0.1:3000) with schedules, sensors and automation live
  make test    run every test suite
  make bench   measure the performance figures (bench/results.json)
"""


def table_counts(warehouse: Warehouse) -> list[tuple[str, int]]:
    """Every table and view in the warehouse's own schemas with its row count (one connection:
    the demo's warehouse has ~80 of them)."""
    with warehouse.transaction() as tx:
        names = (
            tx.query_arrow(
                "select table_schema || '.' || table_name as name from information_schema.tables "
                "where table_schema not in ('information_schema', 'pg_catalog', 'main', 'public') "
                "order by 1"
            )
            .column("name")
            .to_pylist()
        )
        return [(n, tx.table_metadata(n)["dagster/row_count"]) for n in names]


def print_alerts(alerts: list[dict]) -> None:
    """The Slack messages the sandbox recorded (the alert drill's among them)."""
    print(f"\n== Slack messages recorded by the sandbox: {len(alerts)}")
    for message in alerts:
        print(f"  {message.get('channel_name', message.get('channel'))}:")
        for line in str(message.get("text", "")).splitlines()[:6]:
            print(f"    {line}")


def print_section(section: dict[str, Any]) -> int:
    """One location's section; returns how many of its comparisons did not match."""
    print(f"\n== {section['title']}")
    for line in section["lines"]:
        print(f"  {line}")
    return int(section.get("mismatches", 0))


def print_costs(loaded: dict[str, dict[str, Any]], seconds: float) -> None:
    """Wall and CPU time per location (CPU includes its dbt, Spark and connector processes):
    where the demo's time went, against what the machine's cores could give in that wall time."""
    costs = {name: report["cost"] for name, report in loaded.items() if "cost" in report}
    if not costs:
        return
    cores = os.cpu_count() or 1
    total = sum(cost["cpu_seconds"] for cost in costs.values())
    print(
        f"\n== Time per location: CPU {total:.0f} s in all of {seconds * cores:.0f} s "
        f"({cores} cores x {seconds:.0f} s wall; the sandbox and the UI not counted)"
    )
    for name, cost in sorted(costs.items(), key=lambda item: -item[1]["cpu_seconds"]):
        print(
            f"  {name:<10} CPU {cost['cpu_seconds']:6.1f} s   wall {cost['wall_seconds']:6.1f} s"
            f"   waiting for other locations {cost['waited_seconds']:5.1f} s"
        )


def print_summary(
    settings: FernwaySettings,
    reports: dict[str, Path],
    seconds: float,
    alerts: list[dict] | None = None,
) -> int:
    """Print the summary; return the demo's exit code."""
    loaded = {name: json.loads(p.read_text()) for name, p in reports.items() if p.exists()}
    runs = [r for report in loaded.values() for r in report["runs"]]
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
    mismatches = 0
    for report in loaded.values():
        for section in report.get("sections") or []:
            mismatches += print_section(section)
    if alerts is not None:
        print_alerts(alerts)
    print_costs(loaded, seconds)
    bad_runs = [r for r in runs if not r["success"]]
    incomplete = len(reports) == 0 or len(loaded) < len(reports)
    print(f"\n== Runs: {len(runs)} ({len(bad_runs)} failed); wall time {seconds:.0f} s")
    for r in bad_runs:
        print(f"  FAILED: {r['label']} (run {r['run_id']})")
    blocking_failed = any(c["blocking"] and not c["passed"] for c in checks)
    print(NEXT_STEPS)
    return 1 if bad_runs or blocking_failed or mismatches or incomplete else 0
