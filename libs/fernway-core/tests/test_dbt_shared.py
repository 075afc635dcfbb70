"""Every dbt project finds the one shared dbt package and profile, wherever the checkout is."""

import shutil
from pathlib import Path

import pytest

from fernway_core.dbt import fernway_dbt_project
from fernway_core.dbt_shared import SHARED_DBT_PACKAGE, shared_dbt_dir

REPO = Path(__file__).resolve().parents[3]
PROJECTS = sorted(p.parent for p in REPO.glob("projects/*/dbt/*/dbt_project.yml"))


def test_every_dbt_project_of_the_repo_reads_the_shared_profile() -> None:
    assert PROJECTS
    for project in PROJECTS:
        assert shared_dbt_dir(project) == REPO / SHARED_DBT_PACKAGE
        assert fernway_dbt_project(project).profiles_dir == REPO / SHARED_DBT_PACKAGE


def test_a_copied_checkout_uses_its_own_shared_package(tmp_path: Path) -> None:
    project = tmp_path / "projects" / "team" / "dbt" / "team"
    project.mkdir(parents=True)
    (tmp_path / SHARED_DBT_PACKAGE).mkdir(parents=True)
    shutil.copy(REPO / SHARED_DBT_PACKAGE / "profiles.yml", tmp_path / SHARED_DBT_PACKAGE)
    assert shared_dbt_dir(project) == tmp_path / SHARED_DBT_PACKAGE


def test_a_project_outside_any_checkout_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"libs/dbt-shared/profiles\.yml"):
        shared_dbt_dir(tmp_path / "dbt" / "lonely")
