"""Loads, github_staging and growth_marts end to end on DuckDB and on Postgres, against the
sandbox's truth (stars per repository and day, releases)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import dagster as dg
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse

WINDOW_DAYS = 7  # growth_marts' release_window_days


def materialize_all(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult:
    assets = list({id(a): a for a in defs.assets or []}.values())
    return dg.materialize(assets, resources=defs.resources, instance=instance, raise_on_error=False)


def rows(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    return warehouse.query_arrow(sql).to_pylist()


def day(value: Any) -> str:
    return value.isoformat()[:10]


def utc(value: Any) -> dt.datetime:
    """A timestamp read back as naive UTC (marts) or aware (raw timestamptz)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def expected_cumulative(truth: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int]]:
    """(new stars, running total) per repository and window day, from the truth."""
    out = {}
    for repo, t in truth["github"]["repos"].items():
        total = t["stars_before_window"]
        for d, v in sorted(t["by_day"].items()):
            total += v["stars"]
            out[repo, d] = (v["stars"], total)
    return out


def expected_release_stars(raw_stars: list[dict], raw_releases: list[dict]) -> dict[int, tuple]:
    """(stars before, stars after) each published release, counted in Python from the loads."""
    kept = [(s["repo"], utc(s["starred_at"])) for s in raw_stars if s["unstarred_at"] is None]
    window = dt.timedelta(days=WINDOW_DAYS)
    out = {}
    for r in raw_releases:
        if r["draft"] or r["published_at"] is None:
            continue
        at = utc(r["published_at"])
        same = [s for repo, s in kept if repo == r["repo"]]
        out[r["id"]] = (
            sum(at - window <= s < at for s in same),
            sum(at <= s < at + window for s in same),
        )
    return out


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_marts_match_the_truth_and_a_rerun_changes_nothing(
    target, github_sandbox, request, platform_env, instance
):
    if target == "postgres":
        request.getfixturevalue("postgres_warehouse")
    defs = request.getfixturevalue("defs")
    warehouse = Warehouse(url=get_settings().resolved_warehouse_url)
    assert warehouse.dialect == target
    truth = github_sandbox.truth

    first = materialize_all(defs, instance)
    assert first.success
    failed = [e for e in first.get_asset_check_evaluations() if not e.passed]
    assert not failed, [(e.asset_key.to_user_string(), e.check_name) for e in failed]
    unit_tests = {e.check_name for e in first.get_asset_check_evaluations()}
    assert "unique_combination_of_columns_cumulative_stars_repo__star_date" in {
        c.replace("fernway_shared_", "") for c in unit_tests
    }

    cumulative = {
        (r["repo"], day(r["star_date"])): (r["new_stars"], r["cumulative_stars"])
        for r in rows(warehouse, "select * from growth.cumulative_stars")
    }
    expected = expected_cumulative(truth)
    last_day = max(d for _, d in cumulative)
    in_window = {k: v for k, v in expected.items() if k[1] <= last_day}
    assert {k: cumulative[k] for k in in_window} == in_window
    published = Counter(
        (repo, r["published_at"][:10])
        for repo, t in truth["github"]["repos"].items()
        for r in t["releases"]
        if not r["draft"] and r["published_at"]
    )
    releases_per_day = {
        (r["repo"], day(r["star_date"])): r["releases_published"]
        for r in rows(warehouse, "select * from growth.cumulative_stars")
        if r["releases_published"]
    }
    assert releases_per_day == {k: n for k, n in published.items() if k in cumulative}

    stargazers = rows(warehouse, "select repo, user_id from growth.stargazers")
    kept = {repo: t["stargazers_count"] for repo, t in truth["github"]["repos"].items()}
    assert Counter(r["repo"] for r in stargazers) == Counter(kept)

    raw_stars = rows(warehouse, "select repo, starred_at, unstarred_at from github.stargazers")
    raw_releases = rows(warehouse, "select id, repo, draft, published_at from github.releases")
    release_stars = {
        r["release_id"]: (r["stars_before"], r["stars_after"])
        for r in rows(warehouse, "select * from growth.release_stars")
    }
    assert release_stars == expected_release_stars(raw_stars, raw_releases)
    assert any(after for _, after in release_stars.values())

    again = materialize_all(defs, instance)
    assert again.success
    assert {
        (r["repo"], day(r["star_date"])): (r["new_stars"], r["cumulative_stars"])
        for r in rows(warehouse, "select * from growth.cumulative_stars")
    } == cumulative
    assert len(rows(warehouse, "select user_id from growth.stargazers")) == len(stargazers)
