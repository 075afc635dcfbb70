"""The floor of figure 1: dbt's own compiled SQL replayed in ONE DuckDB connection, no dbt."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import duckdb

_CREATE = re.compile(r"^\s*create\s+(table|view)\s", re.IGNORECASE)


def run_file(target: Path, node: dict[str, Any]) -> Path:
    """Where dbt wrote the SQL it ran for a node (dbt's get_target_write_path rule)."""
    path, original = node["path"], node["original_file_path"]
    if node["resource_type"] == "unit_test":  # run as a node named after the test, next to its yml
        path = f"{Path(original).parent}/{node['name']}.sql"
    relative = original if Path(path).name == Path(original).name else f"{original}/{path}"
    return target / "run" / node["package_name"] / relative


def statements(target: Path) -> list[tuple[str, str]]:
    """(unique_id, SQL) in the order dbt executed them (threads=1: run_results order).

    Models create their relation directly (`create or replace`, no `__dbt_tmp` swap); tests
    and unit tests are the selects dbt ran.
    """
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    plan = []
    for result in json.loads((target / "run_results.json").read_text())["results"]:
        node = nodes[result["unique_id"]]
        sql = run_file(target, node).read_text()
        if node["resource_type"] == "model":
            sql = _CREATE.sub(r"create or replace \1 ", sql, count=1).replace('__dbt_tmp"', '"')
        plan.append((result["unique_id"], sql))
    return plan


def replay(database: Path, target: Path) -> dict[str, Any]:
    """Execute every statement in one connection; wall time, per-kind split and test failures."""
    plan = statements(target)
    by_kind: dict[str, float] = {}
    failures = 0
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        for unique_id, sql in plan:
            t0 = time.perf_counter()
            rows = con.execute(sql).fetchall()
            kind = unique_id.split(".", 1)[0]
            by_kind[kind] = by_kind.get(kind, 0.0) + time.perf_counter() - t0
            if kind == "test":
                failures += int(rows[0][0]) if rows else 0
    finally:
        con.close()
    return {
        "seconds": time.perf_counter() - started,
        "statements": len(plan),
        "seconds_by_kind": by_kind,
        "test_failures": failures,
    }
