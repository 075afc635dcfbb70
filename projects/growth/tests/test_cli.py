"""`growth check` / `growth apply` against the real sandbox and DuckDB, as a person runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fernway_core.settings import get_settings

GROWTH = Path(sys.executable).with_name("growth")


def growth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GROWTH), *args], capture_output=True, text=True, env=dict(os.environ), timeout=300
    )


def test_check_plans_and_changes_nothing_apply_makes_it_real_check_again_is_empty(
    github_sandbox,
):
    duckdb_file = Path(get_settings().resolved_warehouse_url.removeprefix("duckdb://"))
    first = growth("check")
    assert first.returncode == 0, first.stderr
    assert "reachable, token accepted (4 repositories declared)" in first.stdout
    assert (
        "+ github.stargazers: create table (merge on repo, user_id; incremental on starred_at)"
        in first.stdout
    )
    assert "+ github.stargazers: column starred_at timestamp not null" in first.stdout
    assert "+ github.releases: create table (merge on id)" in first.stdout
    assert "Plan: 36 to create, 0 to change" in first.stdout
    assert not duckdb_file.exists()  # check changed nothing, not even an empty file
    applied = growth("apply")
    assert applied.returncode == 0, applied.stderr
    assert "Applied 36 change(s)." in applied.stdout
    import duckdb

    con = duckdb.connect(str(duckdb_file), read_only=True)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'github' and table_name = 'stargazers' order by ordinal_position"
    ).fetchall()
    con.close()
    assert columns == [
        ("repo", "VARCHAR"),
        ("user_id", "BIGINT"),
        ("user_login", "VARCHAR"),
        ("user_type", "VARCHAR"),
        ("starred_at", "TIMESTAMP WITH TIME ZONE"),
        ("unstarred_at", "TIMESTAMP WITH TIME ZONE"),
    ]
    again = growth("check")
    assert again.returncode == 0
    assert "No changes: the warehouse matches the declared pipeline." in again.stdout
    assert "+ " not in again.stdout


def test_a_type_changed_behind_the_pipelines_back_is_planned_and_apply_refuses(github_sandbox):
    assert growth("apply").returncode == 0
    import duckdb

    path = get_settings().resolved_warehouse_url.removeprefix("duckdb://")
    con = duckdb.connect(path)
    con.execute("alter table github.releases alter column tag_name type integer using 0")
    con.close()
    plan = growth("check")
    assert "~ github.releases: column tag_name: integer in the warehouse, declared varchar" in (
        plan.stdout
    )
    refused = growth("apply")
    assert refused.returncode == 1
    assert "apply refuses changes it cannot make in place" in refused.stderr


def test_check_reports_an_unreachable_api_and_exits_1(github_sandbox, monkeypatch):
    monkeypatch.setenv("FERNWAY_GITHUB_TOKEN", "ghp_wrong")
    result = growth("check")
    assert result.returncode == 1
    assert "NOT reachable" in result.stdout
    assert "401" in result.stdout


def test_a_bad_setting_is_one_line_and_exit_2(platform_env, monkeypatch):
    monkeypatch.setenv("FERNWAY_GITHUB_REPOS", "not-a-repo")
    result = growth("check")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "invalid Fernway settings: FERNWAY_GITHUB_REPOS: got 'not-a-repo', "
        "use comma-separated <owner>/<repo> names (at least one)"
    )
