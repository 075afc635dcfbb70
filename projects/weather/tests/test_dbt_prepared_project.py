"""A dbt project prepared by `make setup` runs the way Dagster runs it, wherever setup ran from.

The bug this guards against: setup parsed with a relative `--project-dir` from the repo root, dbt
stored that root in its partial-parse state, and the next run (from the project's directory)
looked for `projects/weather/dbt/weather/seeds/...` relative to the wrong place.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster_dbt import DbtCliInvocation, DbtCliResource

from fernway_core.settings import reset_settings
from fernway_devtools.dbt_projects import STAMP, is_stale, prepare

REPO = Path(__file__).resolve().parents[3]
PROJECT = Path("projects/weather/dbt/weather")
SHARED = Path("libs/dbt-shared")
DBT = Path(sys.executable).with_name("dbt")


def copy_repo_part(dest: Path) -> Path:
    """The weather dbt project (and the shared dbt package, if any) under `dest`, as in the repo."""
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages")
    shutil.copytree(REPO / PROJECT, dest / PROJECT, ignore=ignore)
    if (REPO / SHARED).is_dir():
        shutil.copytree(REPO / SHARED, dest / SHARED, ignore=ignore)
    (dest / "dg.toml").write_text('directory_type = "workspace"\n')
    return dest / PROJECT


def profiles_dir(project: Path) -> Path:
    """Where the project's `fernway` profile lives: the shared package, else the project."""
    shared = project.parents[3] / SHARED
    return shared if (shared / "profiles.yml").exists() else project


def seed_the_way_dagster_does(project: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """`dbt seed` through dagster-dbt: cwd = project, a fresh target path, partial parsing."""
    dbt = DbtCliResource(
        project_dir=str(project), profiles_dir=str(profiles_dir(project)), dbt_executable=str(DBT)
    )
    invocation = dbt.cli(["seed"], raise_on_error=False)
    invocation.wait()
    return invocation


@pytest.fixture
def duckdb_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The settings' warehouse (what setup parses with) and dbt's profile agree on one file."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("FERNWAY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FERNWAY_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("FERNWAY_DBT_TARGET", "duckdb")
    monkeypatch.setenv("FERNWAY_DUCKDB_PATH", str(path))
    reset_settings()
    yield path
    reset_settings()


def parsed_in_full(invocation: DbtCliInvocation) -> bool:
    """Whether dbt gave up on the prepared partial-parse state (and parsed everything again)."""
    return "Unable to do partial parsing" in (invocation.target_path / "dbt.log").read_text()


def test_project_prepared_from_the_repo_root_seeds_from_its_own_directory(
    tmp_path: Path, duckdb_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_repo_part(tmp_path / "clone")
    monkeypatch.chdir(tmp_path / "clone")  # `make setup` runs from the repo root
    prepare(PROJECT, dbt=DBT)
    assert (project / "target" / STAMP).read_text().strip() == str(project)
    assert is_stale(project) is None
    invocation = seed_the_way_dagster_does(project, duckdb_env)
    assert invocation.is_successful()
    # setup parsed for the configured warehouse, so the run reuses that state instead of
    # parsing the whole project again (which would also hide a wrong root in that state)
    assert not parsed_in_full(invocation)


def test_a_moved_clone_is_prepared_again_and_still_runs(
    tmp_path: Path, duckdb_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = copy_repo_part(tmp_path / "first")
    prepare(first, dbt=DBT)
    (tmp_path / "first").rename(tmp_path / "second")
    moved = tmp_path / "second" / PROJECT
    assert is_stale(moved) == "prepared in another directory"
    prepare(moved, dbt=DBT)
    assert seed_the_way_dagster_does(moved, duckdb_env).is_successful()


def test_the_old_relative_parse_reproduces_the_fresh_clone_failure(
    tmp_path: Path, duckdb_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make setup` used to do; kept to show the tests above would catch the bug."""
    project = copy_repo_part(tmp_path / "clone")
    monkeypatch.chdir(tmp_path / "clone")
    if (project / "packages.yml").exists():
        subprocess.run(
            [str(DBT), "deps", "--project-dir", str(project), "--profiles-dir",
             str(profiles_dir(project))],
            cwd=project, check=True, capture_output=True,
        )  # fmt: skip
    relative = ["--project-dir", str(PROJECT), "--profiles-dir", str(profiles_dir(project))]
    subprocess.run([str(DBT), "parse", "--quiet", *relative], check=True)
    invocation = seed_the_way_dagster_does(project, duckdb_env)
    assert not invocation.is_successful()
    [result] = invocation.get_artifact("run_results.json")["results"]
    assert result["status"] == "error"
    assert "No files found that match the pattern" in result["message"]
