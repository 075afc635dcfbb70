"""The GitHub REST API stand-in over real HTTP: stars, releases, auth, rate limits, ETags, clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter

import httpx
import numpy as np
import pytest

from fernway_sandbox import github_repos
from fernway_sandbox.pytest_plugin import SMALL, start_sandbox

TOKEN = {"Authorization": "Bearer ghp_sandbox"}
STAR_JSON = {"Accept": "application/vnd.github.star+json"}
END = dt.datetime(2026, 8, 11, tzinfo=dt.UTC)  # SMALL's window end
GITHUB_ONLY = {"services": ("github",), "clock": END, "scale": 50_000}  # ~2,000 stars
PYTHON = "/repos/fernway/fernway-python"


@pytest.fixture(scope="module")
def github():
    config = dataclasses.replace(SMALL, github_secondary_per_minute=100_000, **GITHUB_ONLY)
    with start_sandbox(config) as sandbox, httpx.Client(base_url=sandbox.urls["github"]) as http:
        http.headers.update(TOKEN)
        yield sandbox, http


def walk(http: httpx.Client, path: str, headers: dict | None = None, **params) -> list:
    """Every item of a listing, following `Link: rel="next"`."""
    response = http.get(path, params=params, headers=headers).raise_for_status()
    items = list(response.json())
    while "next" in response.links:
        response = http.get(response.links["next"]["url"], headers=headers).raise_for_status()
        items.extend(response.json())
    return items


def test_stargazer_pages_cover_every_star_once_and_match_the_truth(github):
    sandbox, http = github
    truth = sandbox.truth["github"]["repos"]
    assert set(truth) == {
        "fernway/fernway-python",
        "fernway/fernway-js",
        "fernway/fernway-go",
        "fernway/fernway-courier-app",
    }
    for full_name, expected in truth.items():
        stars = walk(http, f"/repos/{full_name}/stargazers", STAR_JSON, per_page=7)
        ids = [s["user"]["id"] for s in stars]
        assert len(ids) == len(set(ids)) == expected["stargazers_count"] > 0
        assert [s["starred_at"] for s in stars] == sorted(s["starred_at"] for s in stars)
        days = Counter(s["starred_at"][:10] for s in stars)
        assert {d: days.get(d, 0) for d in expected["by_day"]} == {
            d: v["stars"] for d, v in expected["by_day"].items()
        }
        assert (
            sum(n for d, n in days.items() if d < "2026-08-01") == expected["stars_before_window"]
        )


def test_link_header_names_next_and_last_pages(github):
    _, http = github
    total = http.get(PYTHON).json()["stargazers_count"]
    first = http.get(f"{PYTHON}/stargazers", params={"per_page": 10})
    assert len(first.json()) == 10
    assert first.links["next"]["url"].endswith("per_page=10&page=2")
    assert first.links["last"]["url"].endswith(f"per_page=10&page={-(-total // 10)}")
    last = http.get(first.links["last"]["url"])
    assert "next" not in last.links
    assert last.links["first"]["url"].endswith("page=1")
    assert len(http.get(f"{PYTHON}/stargazers", params={"per_page": 500}).json()) == 100
    assert len(http.get(f"{PYTHON}/stargazers").json()) == 30
    assert http.get(f"{PYTHON}/stargazers", params={"page": 10_000}).json() == []


def test_star_json_adds_starred_at_and_plain_lists_users(github):
    _, http = github
    plain = http.get(f"{PYTHON}/stargazers").json()
    starred = http.get(f"{PYTHON}/stargazers", headers=STAR_JSON).json()
    assert [s["user"] for s in starred] == plain
    assert set(starred[0]) == {"starred_at", "user"}
    assert plain[0]["type"] == "User"
    assert "starred_at" not in plain[0]
    assert dt.datetime.fromisoformat(starred[0]["starred_at"]) < END


def test_repository_metadata_matches_the_truth(github):
    sandbox, http = github
    expected = sandbox.truth["github"]["repos"]["fernway/fernway-go"]
    body = http.get("/repos/fernway/fernway-go").raise_for_status().json()
    assert body["full_name"] == "fernway/fernway-go"
    assert body["owner"]["login"] == "fernway"
    assert (body["id"], body["created_at"]) == (expected["id"], expected["created_at"])
    assert body["stargazers_count"] == expected["stargazers_count"]
    assert http.get("/repos/fernway/nope").status_code == 404


def test_releases_are_listed_newest_first_and_match_the_truth(github):
    sandbox, http = github
    expected = sandbox.truth["github"]["repos"]["fernway/fernway-js"]["releases"]
    releases = walk(http, "/repos/fernway/fernway-js/releases", per_page=5)
    keys = ("id", "tag_name", "published_at", "draft", "prerelease")
    assert [{k: r[k] for k in keys} for r in releases] == expected[::-1]
    assert releases[0]["draft"]
    assert releases[0]["published_at"] is None
    assert sum(r["draft"] for r in releases) == 1
    assert all(r["tag_name"].startswith("v0.") for r in releases)


def test_missing_or_wrong_token_is_401_with_githubs_body(github):
    _, http = github
    missing = httpx.get(http.base_url.join(PYTHON))
    wrong = httpx.get(http.base_url.join(PYTHON), headers={"Authorization": "Bearer ghp_wrong"})
    assert (missing.status_code, missing.json()["message"]) == (401, "Requires authentication")
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Bad credentials")
    assert wrong.json()["documentation_url"].startswith("https://docs.github.com/")
    assert "x-ratelimit-remaining" in wrong.headers
    legacy = httpx.get(http.base_url.join(PYTHON), headers={"Authorization": "token ghp_sandbox"})
    assert legacy.status_code == 200


def test_every_response_counts_down_the_rate_limit(github):
    _, http = github
    first, second = http.get(PYTHON), http.get(f"{PYTHON}/releases")
    assert first.headers["x-ratelimit-limit"] == "5000"
    assert int(second.headers["x-ratelimit-remaining"]) == (
        int(first.headers["x-ratelimit-remaining"]) - 1
    )
    assert int(second.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1
    assert 0 < int(second.headers["x-ratelimit-reset"]) - time.time() <= 3600


def test_used_up_primary_limit_is_403_with_remaining_zero(sandbox_factory):
    sandbox = sandbox_factory(github_rate_limit=3, **GITHUB_ONLY)
    with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:
        assert [http.get(PYTHON).status_code for _ in range(3)] == [200, 200, 200]
        refused = http.get(PYTHON)
    assert refused.status_code == 403
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.json()["message"].startswith("API rate limit exceeded")
    assert sandbox.truth["github"]["requests"]["rate_limited"] == 1


def test_not_modified_answers_do_not_count_against_the_limit(github):
    _, http = github
    first = http.get(f"{PYTHON}/stargazers")
    again = http.get(f"{PYTHON}/stargazers", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    other = http.get(f"{PYTHON}/stargazers", headers={"If-None-Match": 'W/"stale"'})
    assert other.status_code == 200
    assert int(other.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1


def test_secondary_limit_and_injected_faults_ask_to_retry_later(sandbox_factory):
    sandbox = sandbox_factory(github_secondary_per_minute=2, **GITHUB_ONLY)
    with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:
        assert [http.get(PYTHON).status_code for _ in range(2)] == [200, 200]
        secondary = http.get(PYTHON)
        assert secondary.status_code == 403
        assert int(secondary.headers["retry-after"]) >= 1
        assert "secondary rate limit" in secondary.json()["message"]
        sandbox.set_faults("github", rate_limit_rate=1.0, retry_after_s=7)
        injected = http.get(PYTHON)
    assert (injected.status_code, injected.headers["retry-after"]) == (429, "7")


def test_stars_arrive_and_unstars_vanish_as_the_clock_moves(sandbox_factory):
    sandbox = sandbox_factory(**GITHUB_ONLY)
    repo = github_repos.generate(42, 50_000, SMALL.window_start, SMALL.days)[0]
    i = int(np.flatnonzero(repo.unstarred_at < github_repos.NEVER)[-1])
    user, starred, unstarred = (
        int(a[i]) for a in (repo.user_id, repo.starred_at, repo.unstarred_at)
    )

    def stargazers_at(epoch: int) -> set[int]:
        sandbox.set_clock(dt.datetime.fromtimestamp(epoch, dt.UTC))
        with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:
            return {u["id"] for u in walk(http, f"{PYTHON}/stargazers", per_page=100)}

    before, during, after = (stargazers_at(t) for t in (starred - 1, starred, unstarred))
    assert user not in before
    assert user in during
    assert user not in after
    assert len(during) == len(repo.visible(starred))
    assert user in stargazers_at(unstarred - 1)
    assert len(stargazers_at(int(END.timestamp()))) == repo_truth_count(sandbox)


def repo_truth_count(sandbox) -> int:
    return sandbox.truth["github"]["repos"]["fernway/fernway-python"]["stargazers_count"]


def test_generation_is_deterministic_from_the_seed_and_scales_with_scale():
    make = github_repos.generate.__wrapped__
    start = dt.date(2026, 8, 1)
    a, b, other = (
        make(42, 100_000, start, 92),
        make(42, 100_000, start, 92),
        make(7, 100_000, start, 92),
    )
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.starred_at, y.starred_at)
        assert np.array_equal(x.user_id, y.user_id)
        assert x.releases == y.releases
    assert not np.array_equal(a[0].starred_at, other[0].starred_at)
    assert 3000 <= sum(len(r.starred_at) for r in a) <= 5000
    began = time.perf_counter()
    big = make(42, 5_000_000, start, 92)
    assert time.perf_counter() - began < 2.0
    assert sum(len(r.starred_at) for r in big) >= 200_000


def test_env_points_at_the_api_with_token_and_repositories(github):
    sandbox, _ = github
    env = sandbox.env()
    assert env["FERNWAY_GITHUB_URL"] == sandbox.urls["github"]
    assert env["FERNWAY_GITHUB_TOKEN"] == "ghp_sandbox"
    assert env["FERNWAY_GITHUB_REPOS"].split(",")[0] == "fernway/fernway-python"


COURIER_APP = "/repos/fernway/fernway-courier-app"
ISSUE_KEYS = ("id", "number", "state", "created_at", "updated_at", "closed_at", "comments")
RELEASES_QUERY = """
query Releases($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    releases(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) {
      nodes { node_id: id id: databaseId tag_name: tagName created_at: createdAt
              published_at: publishedAt draft: isDraft prerelease: isPrerelease
              author { __typename ... on User { login } }
              reaction_groups: reactionGroups { content reactors { totalCount } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def test_issues_match_the_truth_and_filter_by_state_and_since(github):
    sandbox, http = github
    expected = sandbox.truth["github"]["repos"]["fernway/fernway-courier-app"]["issues"]
    issues = walk(http, f"{COURIER_APP}/issues", state="all", per_page=17)
    assert sorted(({k: i[k] for k in ISSUE_KEYS} for i in issues), key=lambda i: i["id"]) == (
        sorted(expected, key=lambda i: i["id"])
    )
    assert len(expected) > 20
    assert {i["state"] for i in expected} == {"open", "closed"}
    assert [i["number"] for i in issues] == sorted((i["number"] for i in issues), reverse=True)
    opened = walk(http, f"{COURIER_APP}/issues", per_page=100)
    assert {i["id"] for i in opened} == {i["id"] for i in expected if i["state"] == "open"}
    since = sorted(i["updated_at"] for i in expected)[len(expected) // 2]
    recent = walk(
        http, f"{COURIER_APP}/issues", state="all", sort="updated", direction="asc", since=since
    )
    assert [i["updated_at"] for i in recent] == sorted(
        i["updated_at"] for i in expected if i["updated_at"] >= since
    )
    bad = http.get(f"{COURIER_APP}/issues", params={"state": "any"})
    assert (bad.status_code, bad.json()["message"]) == (422, "Validation Failed")


def test_issues_are_opened_commented_and_closed_as_the_clock_moves(sandbox_factory):
    sandbox = sandbox_factory(**GITHUB_ONLY)
    repo = github_repos.generate(42, 50_000, SMALL.window_start, SMALL.days)[3]
    issue = next(i for i in reversed(repo.issues) if i.closed_at and i.comment_times)
    with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:

        def seen_at(epoch: int) -> dict | None:
            sandbox.set_clock(dt.datetime.fromtimestamp(epoch, dt.UTC))
            items = walk(http, f"{COURIER_APP}/issues", state="all", per_page=100)
            return next((i for i in items if i["id"] == issue.id), None)

        assert seen_at(issue.created_at - 1) is None
        opened = seen_at(issue.created_at)
        closed = seen_at(issue.closed_at)
    assert opened
    assert (opened["state"], opened["comments"]) == ("open", 0)
    assert closed
    assert closed["state"] == "closed"
    assert closed["updated_at"] == github_repos.iso(issue.updated_at(issue.closed_at))


def test_graphql_pages_releases_oldest_first_like_the_rest_listing(github):
    _, http = github
    rest = walk(http, f"{COURIER_APP}/releases", per_page=100)
    nodes, after, pages = [], None, 0
    while True:
        variables = {"owner": "fernway", "name": "fernway-courier-app", "first": 4, "after": after}
        response = http.post("/graphql", json={"query": RELEASES_QUERY, "variables": variables})
        assert response.headers["x-ratelimit-resource"] == "graphql"
        connection = response.raise_for_status().json()["data"]["repository"]["releases"]
        nodes += connection["nodes"]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    keys = ("id", "tag_name", "created_at", "published_at", "draft", "prerelease")
    assert [{k: n[k] for k in keys} for n in nodes] == [{k: r[k] for k in keys} for r in rest][::-1]
    assert pages == -(-len(rest) // 4)
    assert nodes[0]["author"] == {"__typename": "User", "login": "fernway-release-bot"}
    assert len(nodes[0]["reaction_groups"]) == 8


def test_graphql_errors_look_like_githubs(github):
    _, http = github
    missing = {"owner": "fernway", "name": "nope", "first": 5}
    body = http.post("/graphql", json={"query": RELEASES_QUERY, "variables": missing}).json()
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == "NOT_FOUND"
    unknown = http.post("/graphql", json={"query": "{ viewer { login } }"}).json()
    assert "data" not in unknown
    assert "viewer" in unknown["errors"][0]["message"]
    too_many = {"owner": "fernway", "name": "fernway-go", "first": 101}
    body = http.post("/graphql", json={"query": RELEASES_QUERY, "variables": too_many}).json()
    assert "exceeds the `first` limit of 100" in body["errors"][0]["message"]
    assert http.post("/graphql", content=b"not json").status_code == 400


def test_rate_limit_endpoint_reports_both_budgets_without_counting(github):
    _, http = github
    before = http.get("/rate_limit").raise_for_status().json()["resources"]
    http.get(PYTHON).raise_for_status()
    after = http.get("/rate_limit").json()["resources"]
    assert after["core"]["used"] == before["core"]["used"] + 1
    assert after["graphql"]["limit"] == 5000


def test_a_repository_keeps_its_etag_until_a_star_arrives(sandbox_factory):
    sandbox = sandbox_factory(**GITHUB_ONLY)
    repo = github_repos.generate(42, 50_000, SMALL.window_start, SMALL.days)[0]
    starred = int(repo.starred_at[-1])  # the last star of the window

    def repository_at(epoch: int, etag: str = "") -> httpx.Response:
        sandbox.set_clock(dt.datetime.fromtimestamp(epoch, dt.UTC))
        with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:
            return http.get(PYTHON, headers={"If-None-Match": etag} if etag else None)

    before = repository_at(starred - 10)
    assert before.json()["updated_at"] < github_repos.iso(starred)
    assert repository_at(starred - 1, before.headers["etag"]).status_code == 304
    arrived = repository_at(starred, before.headers["etag"])
    assert arrived.status_code == 200
    assert arrived.json()["updated_at"] == github_repos.iso(starred)
    assert arrived.json()["stargazers_count"] == before.json()["stargazers_count"] + 1


def test_malformed_stars_and_releases_are_deterministic_recorded_and_keep_their_etag(
    sandbox_factory,
):
    sandbox = sandbox_factory(**GITHUB_ONLY, faults={"github": "malformed_rate=0.05"})
    with httpx.Client(base_url=sandbox.urls["github"], headers=TOKEN) as http:
        served = []
        for full_name in sandbox.truth["github"]["repos"]:
            stars = walk(http, f"/repos/{full_name}/stargazers", STAR_JSON, per_page=100)
            releases = walk(http, f"/repos/{full_name}/releases", per_page=100)
            served += [("stargazers", full_name, s) for s in stars]
            served += [("releases", full_name, r) for r in releases]
        first = http.get(f"{PYTHON}/stargazers", headers=STAR_JSON, params={"per_page": 100})
        again = http.get(
            f"{PYTHON}/stargazers",
            headers={**STAR_JSON, "If-None-Match": first.headers["etag"]},
            params={"per_page": 100},
        )
    assert again.status_code == 304  # the same records are malformed on every read

    def kind(endpoint: str, item: dict) -> str | None:
        holder = item.get("user", item)
        if holder.get("id", 0) is None:
            return "null_key"
        field = "tag_name" if endpoint == "releases" else "starred_at"
        if field not in item:
            return "missing_field"
        if not isinstance(item.get("draft", False), bool) or isinstance(item.get(field), int):
            return "wrong_type"
        return None

    seen = Counter(kind(endpoint, item) for endpoint, _, item in served)
    recorded = sandbox.recorded("github")
    assert recorded == sandbox.truth["github"]["malformed"]
    assert Counter(r["kind"] for r in recorded) == {k: n for k, n in seen.items() if k}
    assert set(seen) == {None, "null_key", "wrong_type", "missing_field"}
    assert 0.03 < sum(n for k, n in seen.items() if k) / len(served) < 0.07
    assert {r["record"].split(":")[0] for r in recorded} == {"stargazers", "releases"}
