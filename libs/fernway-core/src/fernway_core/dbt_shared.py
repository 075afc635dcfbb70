"""Where the shared dbt package lives; no dagster-dbt import, so any environment can use it.

`libs/dbt-shared` (dbt package `fernway_shared`) holds the macros and generic tests every dbt
project depends on (`packages.yml`: `- local: ../../../../libs/dbt-shared`) and the one
`profiles.yml` (profile `fernway`) every dbt invocation reads through `--profiles-dir`.
"""

from __future__ import annotations

from pathlib import Path

SHARED_DBT_PACKAGE = Path("libs", "dbt-shared")


def shared_dbt_dir(project_dir: Path | str) -> Path:
    """The `libs/dbt-shared` of the checkout that holds `project_dir` (the nearest one above it)."""
    project_dir = Path(project_dir).resolve()
    for parent in project_dir.parents:
        candidate = parent / SHARED_DBT_PACKAGE
        if (candidate / "profiles.yml").is_file():
            return candidate
    raise FileNotFoundError(f"no {SHARED_DBT_PACKAGE}/profiles.yml in any parent of {project_dir}")
