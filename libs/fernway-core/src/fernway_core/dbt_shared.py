"""Where the shared dbt package lives; no dagster-dbt import, so any environment can use it.

`libs/dbt-shared` (dbt package `fernway_shared`) holds the macros and generic tests every dbt
project depends on (`packages.yml`: `- local: ../../../../libs/dbt-shared`) and the one
`profiles.yml` (profile `fernway`) every dbt invocation reads through `--profiles-dir`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from fernway_core.warehouse import Warehouse

SHARED_DBT_PACKAGE = Path("libs", "dbt-shared")


def shared_dbt_dir(project_dir: Path | str) -> Path:
    """The `libs/dbt-shared` of the checkout that holds `project_dir` (the nearest one above it)."""
    project_dir = Path(project_dir).resolve()
    for parent in project_dir.parents:
        candidate = parent / SHARED_DBT_PACKAGE
        if (candidate / "profiles.yml").is_file():
            return candidate
    raise FileNotFoundError(f"no {SHARED_DBT_PACKAGE}/profiles.yml in any parent of {project_dir}")


def dbt_env(warehouse: Warehouse) -> dict[str, str]:
    """Environment variables the dbt profiles read to reach the same warehouse."""
    if warehouse.dialect == "duckdb":
        return {"FERNWAY_DBT_TARGET": "duckdb", "FERNWAY_DUCKDB_PATH": warehouse.duckdb_path}
    url = urlparse(warehouse.url)
    return {
        "FERNWAY_DBT_TARGET": "postgres",
        "FERNWAY_PG_HOST": url.hostname or "127.0.0.1",
        "FERNWAY_PG_PORT": str(url.port or 5432),
        "FERNWAY_PG_USER": unquote(url.username or "postgres"),
        "FERNWAY_PG_PASSWORD": unquote(url.password or ""),
        "FERNWAY_PG_DBNAME": url.path.lstrip("/") or "postgres",
    }
