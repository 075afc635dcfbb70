"""When `make setup` must parse a dbt project again."""

import os
from pathlib import Path

from fernway_devtools.dbt_projects import STAMP, is_stale, local_packages


def prepared(project: Path, stamp: Path | None = None) -> Path:
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1 as a\n")
    target = project / "target"
    target.mkdir()
    for name in ("manifest.json", "partial_parse.msgpack"):
        (target / name).write_text("{}")
    (target / STAMP).write_text(f"{stamp or project}\n")
    old = (project / "models" / "a.sql").stat().st_mtime - 10
    os.utime(project / "models" / "a.sql", (old, old))
    return project


def test_a_current_project_is_not_parsed_again(tmp_path: Path) -> None:
    assert is_stale(prepared(tmp_path / "p")) is None


def test_a_project_without_a_manifest_is_parsed(tmp_path: Path) -> None:
    project = prepared(tmp_path / "p")
    (project / "target" / "manifest.json").unlink()
    assert is_stale(project) == "no manifest yet"


def test_a_project_prepared_in_another_directory_is_parsed(tmp_path: Path) -> None:
    assert is_stale(prepared(tmp_path / "p", stamp=tmp_path / "elsewhere")) == (
        "prepared in another directory"
    )


def test_a_changed_model_makes_the_manifest_stale_but_dbt_output_does_not(
    tmp_path: Path,
) -> None:
    project = prepared(tmp_path / "p")
    (project / "target" / "run_results.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("x")
    assert is_stale(project) is None
    (project / "models" / "b.sql").write_text("select 2 as b\n")
    assert is_stale(project) == "sources changed"


def test_a_change_in_the_shared_local_package_makes_its_dependents_stale(tmp_path: Path) -> None:
    project = prepared(tmp_path / "projects" / "team" / "dbt" / "team")
    shared = tmp_path / "libs" / "dbt-shared"
    (shared / "macros").mkdir(parents=True)
    (project / "packages.yml").write_text("packages:\n  - local: ../../../../libs/dbt-shared\n")
    (project / "dbt_packages").mkdir()
    old = (project / "target" / "manifest.json").stat().st_mtime - 10
    for path in (project / "packages.yml", project / "dbt_packages"):
        os.utime(path, (old, old))
    assert local_packages(project) == [shared.resolve()]
    assert is_stale(project) is None
    (shared / "macros" / "m.sql").write_text("{% macro m() %}1{% endmacro %}\n")
    assert is_stale(project) == "sources changed"


def test_a_project_whose_packages_are_not_installed_is_prepared(tmp_path: Path) -> None:
    project = prepared(tmp_path / "p")
    (project / "packages.yml").write_text("packages:\n  - local: ../shared\n")
    assert is_stale(project) == "packages not installed"
