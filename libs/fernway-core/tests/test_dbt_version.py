"""The dbt CLI resource knows its dbt's version without running `dbt --version` each time."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from fernway_core.dbt import WaitingDbtCliResource, dbt_cli_resource


def project(tmp_path: Path) -> DbtProject:
    """The smallest dbt project the resource accepts."""
    (tmp_path / "dbt_project.yml").write_text("name: tiny\nversion: '1.0'\nprofile: fernway\n")
    (tmp_path / "profiles.yml").write_text("fernway: {target: t, outputs: {t: {type: duckdb}}}\n")
    return DbtProject(project_dir=tmp_path, profiles_dir=tmp_path)


def test_the_environments_dbt_version_comes_from_its_package(tmp_path: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    printed = subprocess.run([dbt, "--version"], capture_output=True, text=True, check=True)
    expected = re.search(r"(\d+\.\d+\.\d+)", printed.stdout)
    assert expected
    resource = dbt_cli_resource(project(tmp_path))
    assert str(resource._cli_version) == expected.group(1)


def test_the_hook_overridden_still_exists_in_dagster_dbt() -> None:
    # dagster-dbt's private `_cli_version` is what runs `dbt --version`; an upgrade that renames
    # it would silently bring the subprocess back: this fails instead.
    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), cached_property)
    assert "_cli_version" in WaitingDbtCliResource.__dict__


def test_another_executable_is_still_asked(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "dbt"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Core:\n  - installed: 1.99.7'\n")
    fake.chmod(0o755)
    resource = WaitingDbtCliResource(project_dir=project(tmp_path), dbt_executable=str(fake))
    assert str(resource._cli_version) == "1.99.7"
