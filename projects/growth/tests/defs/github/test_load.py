"""The GitHub load against the real sandbox and a real DuckDB: truth, reruns, unstars, drift."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import dagster as dg
import httpx
import pytest

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_devtools.pytest_plugin import failed_check, use_sandbox
from fernway_growth.defs.github import contracts
from fernway_sandbox.pytest_plugin import SMALL
from tests.conftest import GITHUB, held_by_day, load_github, stars_by_repo_and_day

FIRST_DAY = SMALL.window_start.isoformat()


def warehouse() -> Warehouse:
    return Warehouse(url=get_settings().resolved_warehouse_url)


def assert_matches_truth(wh: Warehouse, truth: dict) -> None:
    held = stars_by_repo_and_day(wh)
    repos = truth["github"]["repos"]
    assert set(held) == set(repos)
    for repo, t in repos.items():
        by_day = {d: v["stars"] for d, v in t["by_day"].items() if v["stars"]}
        assert held_by_day(held[repo], FIRST_DAY) == (t["stars_before_window"], by_day), repo
    releases = wh.query_arrow(
        "select repo, id, tag_name, draft, prerelease from github.releases order by id"
    ).to_pylist()
    expected = [
        {"repo": repo, **{k: r[k] for k in ("id", "tag_name", "draft", "prerelease")}}
        for repo, t in repos.items()
        for r in t["releases"]
    ]
    assert releases == sorted(expected, key=lambda r: r["id"])


def test_load_matches_the_truth_and_a_rerun_does_not_duplicate(github_sandbox, defs, instance):
    first = load_github(defs, instance)
    assert first.success
    wh = warehouse()
    truth = github_sandbox.truth
    assert_matches_truth(wh, truth)
    evaluations = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
    assert evaluations == {
        "no_rejected_records": True,
        "stars_match_repository_counts": True,
    } or all(evaluations.values())
    counts = {
        t.name: wh.query_arrow(f"select count(*) as n from {t.qualified}").to_pylist()[0]["n"]
        for t in contracts.TABLES
    }
    assert counts["repositories"] == len(truth["github"]["repos"])
    stars = first.asset_materializations_for_node("github")
    meta = {m.asset_key.path[-1]: m.metadata for m in stars}
    assert meta["stargazers"]["dagster/row_count"].value == counts["stargazers"]
    assert meta["stargazers"]["cursor_before"].value == "None"
    second = load_github(defs, instance)
    assert second.success
    again = {
        t.name: wh.query_arrow(f"select count(*) as n from {t.qualified}").to_pylist()[0]["n"]
        for t in contracts.TABLES
    }
    assert again == counts
    meta = {
        m.asset_key.path[-1]: m.metadata for m in second.asset_materializations_for_node("github")
    }
    assert meta["stargazers"]["cursor_before"].value != "None"
    assert meta["stargazers"]["unstarred"].value == 0
    assert_matches_truth(wh, truth)
    # dlt's merge staging has a schema of its own, not the github_staging dbt project's
    schemas = wh.query_arrow(
        "select distinct table_schema from information_schema.tables"
        " where table_schema like 'github%' order by 1"
    )["table_schema"].to_pylist()
    assert schemas == ["github", "github_dlt_staging"]


def test_stars_arriving_and_unstars_as_the_clock_moves_are_followed(
    sandbox_factory, monkeypatch, platform_env, instance
):
    from fernway_devtools.locations import load_location

    middle = dt.datetime(2026, 8, 6, 12, tzinfo=dt.UTC)
    early = sandbox_factory(**GITHUB, clock=middle)
    use_sandbox(monkeypatch, early)
    assert load_github(load_location("fernway_growth.definitions"), instance).success
    wh = warehouse()
    [before] = wh.query_arrow(
        "select count(*) as n, max(starred_at) as last from github.stargazers"
    ).to_pylist()
    assert before["last"] <= middle
    late = sandbox_factory(**GITHUB)  # same seed and window, the clock at real time: window over
    use_sandbox(monkeypatch, late)
    result = load_github(load_location("fernway_growth.definitions"), instance)
    assert result.success
    truth = late.truth
    assert_matches_truth(wh, truth)
    unstarred = wh.query_arrow(
        "select count(*) as n from github.stargazers where unstarred_at is not null"
    ).to_pylist()[0]["n"]
    gone_after_middle = sum(
        v["unstarred"]
        for t in truth["github"]["repos"].values()
        for d, v in t["by_day"].items()
        if d >= "2026-08-07"
    )
    assert unstarred >= gone_after_middle > 0
    meta = {
        m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("github")
    }
    assert meta["stargazers"]["unstarred"].value == unstarred
    assert all(e.passed for e in result.get_asset_check_evaluations())
    # the stars' pages were asked for with their ETags: the oldest came back 304 (no quota), the
    # pages that changed as the clock moved (new stars, unstars) were fetched again
    fetched, not_modified = pages(result)["stargazers"]
    assert fetched > 0
    assert not_modified > 0


def test_a_field_the_contract_does_not_know_fails_the_load_and_changes_nothing(
    github_sandbox, defs, instance, monkeypatch
):
    assert load_github(defs, instance).success
    wh = warehouse()
    before = wh.query_arrow("select * from github.stargazers order by repo, user_id")
    # GitHub adding `site_admin` to its user objects looks exactly like this to the pipeline
    shrunk = dataclasses.replace(
        contracts.STARGAZERS, ignored=contracts.STARGAZERS.ignored - {"user.site_admin"}
    )
    monkeypatch.setattr(contracts, "STARGAZERS", shrunk)
    import fernway_growth.defs.github.source as source

    monkeypatch.setattr(source, "TABLES", (contracts.REPOSITORIES, shrunk, contracts.RELEASES))
    result = load_github(defs, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error_display_string
    assert "github.stargazers: user.site_admin" in message
    assert "schema contract" in message
    columns = (
        wh.query_arrow(
            "select column_name from information_schema.columns "
            "where table_schema = 'github' and table_name = 'stargazers'"
        )
        .column("column_name")
        .to_pylist()
    )
    assert "user__site_admin" not in columns
    assert wh.query_arrow("select * from github.stargazers order by repo, user_id").equals(before)


@pytest.mark.fails_check("github/stargazers", "stars_match_repository_counts")
def test_stars_lost_behind_the_loads_back_fail_the_count_check(github_sandbox, defs, instance):
    from fernway_devtools.pytest_plugin import evaluate_checks

    assert load_github(defs, instance).success
    wh = warehouse()
    wh.execute(
        "delete from github.stargazers where repo = 'fernway/fernway-go' and user_id in "
        "(select user_id from github.stargazers where repo = 'fernway/fernway-go' limit 3)"
    )
    result = evaluate_checks(
        defs, instance, [("github/stargazers", "stars_match_repository_counts")]
    )
    evaluation = failed_check(result, "github/stargazers", "stars_match_repository_counts")
    assert "fernway/fernway-go" in evaluation.metadata["mismatches"].value


@pytest.mark.parametrize(
    ("asset", "entity"),
    [
        pytest.param(
            "github/stargazers",
            "stargazers",
            marks=pytest.mark.fails_check("github/stargazers", "no_rejected_records"),
        ),
        pytest.param(
            "github/releases",
            "releases",
            marks=pytest.mark.fails_check("github/releases", "no_rejected_records"),
        ),
        pytest.param(
            "github/repositories",
            "repositories",
            marks=pytest.mark.fails_check("github/repositories", "no_rejected_records"),
        ),
    ],
)
def test_rejected_records_fail_the_rejects_check(platform_env, defs, instance, asset, entity):
    from fernway_devtools.pytest_plugin import add_rejects, evaluate_checks

    add_rejects(warehouse(), "github", entity, ["null_key", "wrong_type"])
    result = evaluate_checks(defs, instance, [(asset, "no_rejected_records")])
    evaluation = failed_check(result, asset, "no_rejected_records")
    assert evaluation.metadata["by_reason"].value == {"null_key": 1, "wrong_type": 1}


def test_the_load_job_holds_the_three_tables(defs):
    keys = defs.resolve_job_def("github_load_job").asset_layer.executable_asset_keys
    assert keys == {t.asset_key for t in contracts.TABLES}
    assert {k.to_user_string() for k in keys} == {
        "github/repositories",
        "github/stargazers",
        "github/releases",
    }


def test_assets_are_dlt_assets_with_table_keys(defs):
    graph = defs.resolve_asset_graph()
    for table in contracts.TABLES:
        node = graph.get(table.asset_key)
        assert node.group_name == "github"
        assert node.owners == ["team:growth"]
        assert {"dlt", "duckdb"} <= set(node.kinds)
        assert node.description == table.description
    assert isinstance(defs.resolve_assets_def(contracts.STARGAZERS.asset_key), dg.AssetsDefinition)


def test_a_run_selecting_one_table_loads_only_that_table(github_sandbox, defs, instance):
    releases = contracts.RELEASES.asset_key
    job = defs.resolve_implicit_global_asset_job_def()  # what a UI "materialize selected" runs
    result = job.execute_in_process(instance=instance, asset_selection=[releases])
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {releases}
    wh = warehouse()
    loaded = wh.query_arrow("select count(*) as n from github.releases").to_pylist()[0]["n"]
    truth = sum(len(t["releases"]) for t in github_sandbox.truth["github"]["repos"].values())
    assert loaded == truth
    stars = wh.query_arrow("select count(*) as n from github.stargazers").to_pylist()[0]["n"]
    assert stars == 0  # declared (created empty), never fetched


def quota_used(sandbox) -> int:
    """The token's REST quota used so far, as GitHub's `/rate_limit` reports it."""
    env = sandbox.env()
    response = httpx.get(
        f"{env['FERNWAY_GITHUB_URL']}/rate_limit",
        headers={"Authorization": f"Bearer {env['FERNWAY_GITHUB_TOKEN']}"},
    )
    return response.raise_for_status().json()["resources"]["core"]["used"]


def pages(result: dg.ExecuteInProcessResult) -> dict[str, tuple[int, int]]:
    """(pages fetched, pages answered 304) per table of one load."""
    return {
        m.asset_key.path[-1]: (
            m.metadata["pages_fetched"].value,
            m.metadata["pages_not_modified"].value,
        )
        for m in result.asset_materializations_for_node("github")
    }


def test_a_rerun_with_nothing_new_is_answered_304_at_no_quota_and_changes_nothing(
    github_sandbox, defs, instance
):
    first = load_github(defs, instance)
    assert first.success
    fetched = pages(first)
    assert all(n > 0 and kept == 0 for n, kept in fetched.values()), fetched
    wh = warehouse()
    tables = {t.name: f"select * from {t.qualified} order by all" for t in contracts.TABLES}
    before = {name: wh.query_arrow(sql) for name, sql in tables.items()}
    requests = dict(github_sandbox.truth["github"]["requests"])
    used = quota_used(github_sandbox)
    second = load_github(defs, instance)
    assert second.success
    # every page of the first load was asked for with its ETag and answered 304
    assert pages(second) == {name: (0, n) for name, (n, _) in fetched.items()}
    after = github_sandbox.truth["github"]["requests"]
    assert after["served"] == requests["served"]
    assert after["not_modified"] - requests["not_modified"] == sum(n for n, _ in fetched.values())
    assert quota_used(github_sandbox) == used
    for name, sql in tables.items():
        assert wh.query_arrow(sql).equals(before[name]), name
    assert all(e.passed for e in second.get_asset_check_evaluations())


def test_malformed_records_github_serves_are_filed_with_their_reason_on_every_load(
    sandbox_factory, monkeypatch, platform_env, instance
):
    from fernway_devtools.locations import load_location

    sandbox = sandbox_factory(**GITHUB, faults={"github": "malformed_rate=0.02"})
    use_sandbox(monkeypatch, sandbox)
    defs = load_location("fernway_growth.definitions")
    wh = warehouse()

    def filed() -> Counter:
        rows = wh.query_arrow(
            "select entity, reason, count(*) as n from raw.rejects where source = 'github' "
            "group by entity, reason"
        ).to_pylist()
        return Counter({(r["entity"], r["reason"]): r["n"] for r in rows})

    first = load_github(defs, instance)
    assert len(first.asset_materializations_for_node("github")) == 3
    served = sandbox.recorded("github")
    expected = Counter((r["record"].split(":")[0], r["kind"]) for r in served)
    assert {kind for entity, kind in expected if entity == "stargazers"} == {
        "null_key",
        "wrong_type",
        "missing_field",
    }
    assert filed() == expected
    for record in (r["record"] for r in served if r["kind"] != "null_key"):
        entity, repo, key = record.split(":")
        column = "user_id" if entity == "stargazers" else "id"
        sql = f"select count(*) as n from github.{entity} where repo = ? and {column} = ?"
        assert wh.query_arrow(sql, [repo, int(key)]).to_pylist()[0]["n"] == 0, record
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e.passed
        for e in first.get_asset_check_evaluations()
    }
    assert checks[("github/stargazers", "no_rejected_records")] is False
    # a rerun: pages with a rejected record are read again (their rejects filed again), the
    # others are answered 304
    second = load_github(defs, instance)
    assert filed() == expected
    fetched, not_modified = pages(second)["stargazers"]
    assert 0 < fetched < fetched + not_modified
