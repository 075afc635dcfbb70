"""Both dbt projects and the GitHub loads form one lineage graph in Dagster."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg

from fernway_growth.defs.freshness.automation import freshness_chain
from fernway_growth.defs.transform.assets import github_staging_project, growth_marts_project


def key(path: str) -> dg.AssetKey:
    return dg.AssetKey.from_user_string(path)


EDGES = {
    "github/repositories": {"github_staging/stg_github__repositories"},
    "github/stargazers": {"github_staging/stg_github__stargazers"},
    "github/releases": {"github_staging/stg_github__releases"},
    "github_staging/stg_github__repositories": {"github_intermediate/int_stars_filtered"},
    "github_staging/stg_github__stargazers": {"github_intermediate/int_stars_filtered"},
    "github_staging/stg_github__releases": {"github_intermediate/int_releases_published"},
    # across the two dbt projects: github_staging's public models -> growth_marts' marts
    "github_intermediate/int_stars_filtered": {"growth/cumulative_stars", "growth/stargazers"},
    "github_intermediate/int_releases_published": {
        "growth/cumulative_stars",
        "growth/release_stars",
    },
    "growth/stargazers": {"growth/release_stars"},
    "growth/cumulative_stars": set(),
    "growth/release_stars": set(),
}


def test_loads_staging_and_marts_are_one_graph_with_exactly_these_edges(defs):
    graph = defs.resolve_asset_graph()
    growth = {n.key for n in graph.asset_nodes}
    assert growth == {key(k) for k in EDGES}  # no dangling external copies of a model
    for parent, children in EDGES.items():
        assert graph.get(key(parent)).child_keys == {key(c) for c in children}, parent
    # one connected component: every asset reaches a load by walking up
    loads = {key("github/repositories"), key("github/stargazers"), key("github/releases")}
    for node in graph.asset_nodes:
        assert node.key in loads or graph.get_ancestor_asset_keys(node.key) & loads, node.key


def test_each_project_is_its_own_multi_asset_and_groups_follow_the_folders(defs):
    graph = defs.resolve_asset_graph()
    groups = {n.key.to_user_string(): n.group_name for n in graph.asset_nodes}
    assert groups["github_staging/stg_github__stargazers"] == "github_staging"
    assert groups["github_intermediate/int_stars_filtered"] == "github_intermediate"
    assert groups["growth/release_stars"] == "growth_marts"
    by_op = {
        a.op.name: {k.to_user_string() for k in a.keys}
        for a in defs.assets or []
        if isinstance(a, dg.AssetsDefinition) and a.is_executable
    }
    assert by_op["github_staging_models"] == {k for k in EDGES if k.split("/")[0] != "github"} - {
        "growth/cumulative_stars",
        "growth/stargazers",
        "growth/release_stars",
    }
    assert by_op["growth_marts_models"] == {
        "growth/cumulative_stars",
        "growth/stargazers",
        "growth/release_stars",
    }


def test_growth_marts_sources_are_public_contracted_models_of_github_staging():
    upstream = json.loads(github_staging_project.manifest_path.read_text())
    downstream = json.loads(growth_marts_project.manifest_path.read_text())
    sources = [s for s in downstream["sources"].values() if s["source_name"] == "github_staging"]
    assert {s["name"] for s in sources} == {"int_stars_filtered", "int_releases_published"}
    for source in sources:
        model = upstream["nodes"][f"model.github_staging.{source['name']}"]
        assert model["access"] == "public"
        assert model["config"]["contract"]["enforced"] is True
        assert (model["schema"], model["alias"]) == (source["schema"], source["identifier"])
        assert source["config"]["meta"]["dagster"]["asset_key"] == [model["schema"], model["alias"]]


def test_the_targets_carry_freshness_policies_and_their_chains_the_automation(defs):
    graph = defs.resolve_asset_graph()
    policies = {
        n.key.to_user_string(): n.freshness_policy for n in graph.asset_nodes if n.freshness_policy
    }
    assert set(policies) == {"growth/cumulative_stars", "growth/release_stars"}
    assert policies["growth/cumulative_stars"].fail_window.to_timedelta() == dt.timedelta(minutes=5)
    assert policies["growth/release_stars"].fail_window.to_timedelta() == dt.timedelta(minutes=10)
    chain = freshness_chain(defs)
    assert chain == {key(k) for k in EDGES}  # every asset feeds a target
    for node in graph.asset_nodes:
        label = node.automation_condition.get_label() if node.automation_condition else None
        assert label == "needed by a downstream freshness target", node.key
    sensors = {s.name for s in defs.sensors or []}
    assert {"growth_freshness_automation", "freshness_lateness_alert"} <= sensors
