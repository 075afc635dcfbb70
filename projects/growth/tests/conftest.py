"""Fixtures: a GitHub sandbox wired into the environment, the location loaded after it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from fernway_core.warehouse import Warehouse
from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox

# ~2,000 stars over the four repositories (scale x 0.04), a 10-day window from 2026-08-01
GITHUB = {"services": ("github",), "scale": 50_000, "github_secondary_per_minute": 100_000}


@pytest.fixture
def github_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A GitHub sandbox (real time: the window is over, every star and unstar has happened)."""
    sandbox = sandbox_factory(**GITHUB)
    use_sandbox(monkeypatch, sandbox)
    return sandbox


# Fixtures that change the environment the location's resources are resolved from.
ENVIRONMENT_FIXTURES = ("github_sandbox", "postgres_warehouse")


@pytest.fixture
def defs(platform_env: Path, request: pytest.FixtureRequest) -> dg.Definitions:
    """The growth location, loaded after the environment is set, whatever the fixture order."""
    for name in ENVIRONMENT_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    return load_location("fernway_growth.definitions")


def load_github(defs: dg.Definitions, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """One run of the GitHub load job (its checks included)."""
    job = defs.resolve_job_def("github_load_job")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def stars_by_repo_and_day(warehouse: Warehouse) -> dict[str, Counter]:
    """Stars held as still starred, per repository and UTC day."""
    rows = warehouse.query_arrow(
        "select repo, strftime(starred_at, '%Y-%m-%d') as day, count(*) as n "
        "from github.stargazers where unstarred_at is null group by repo, day"
        if warehouse.dialect == "duckdb"
        else "select repo, to_char(starred_at, 'YYYY-MM-DD') as day, count(*) as n "
        "from github.stargazers where unstarred_at is null group by repo, day"
    ).to_pylist()
    out: dict[str, Counter] = {}
    for row in rows:
        out.setdefault(row["repo"], Counter())[row["day"]] = row["n"]
    return out


def expected_by_day(truth: dict[str, Any], first_day: str) -> dict[str, tuple[int, dict]]:
    """Per repository: (stars before the window, {day: stars}) from the sandbox's truth."""
    return {
        repo: (t["stars_before_window"], {d: v["stars"] for d, v in t["by_day"].items()})
        for repo, t in truth["github"]["repos"].items()
    }


def held_by_day(held: Counter, first_day: str) -> tuple[int, dict]:
    """(stars before `first_day`, {day: stars} from it on) of one repository's counter."""
    before = sum(n for d, n in held.items() if d < first_day)
    return before, {d: n for d, n in held.items() if d >= first_day}
