"""GitHub API stand-in for Fernway's SDK repositories: metadata, stargazers, releases, issues.

REST (`/repos/{owner}/{repo}`, `/stargazers`, `/releases`, `/issues` with `state`, `sort`,
`direction` and `since`, `/rate_limit`) and GraphQL (`POST /graphql`, releases; see
`fernway_sandbox.github_graphql`). Token auth (`Authorization: Bearer|token`), `Link`
pagination, `X-RateLimit-*` headers with a primary limit per token and hour for REST and another
for GraphQL (403 once used up), a secondary limit per minute (403 with `Retry-After`), and
`ETag` / `If-None-Match` (304s and `/rate_limit` do not count against the primary limit).
`malformed_rate` serves stars and releases malformed, deterministically per record (a null key,
a value of the wrong type, a required field missing: `MALFORMED_KINDS`), so a page's ETag stays
stable; the records served malformed are recorded (`Sandbox.recorded("github")`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlencode

import numpy as np
import orjson
from werkzeug.wrappers import Request, Response

from fernway_sandbox import github_graphql
from fernway_sandbox.calendar import DAY_S, epoch_s
from fernway_sandbox.github_repos import (
    OWNER,
    REPOS,
    Issue,
    Release,
    Repo,
    generate,
    iso,
    node_id,
    repo_truth,
    user,
)
from fernway_sandbox.malformed import MalformedLog, malformed_kinds
from fernway_sandbox.ratelimit import HourlyQuota, RollingLimit, retry_after
from fernway_sandbox.services.base import ServiceContext, ServiceSpec

DOCS = "https://docs.github.com/rest"
LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
ANONYMOUS_LIMIT = 60
ROUTE = re.compile(r"^/repos/([^/]+)/([^/]+)(?:/(stargazers|releases|issues))?/?$")
ISSUE_SORTS = {"created": "created_at", "updated": "updated_at", "comments": "comments"}
COUNTS = ("served", "not_modified", "rate_limited", "secondary_limited", "unauthorized")
# What a malformed GitHub record is (a wrong amount or an added field have no GitHub analogue
# here: an added field is schema drift, which fails a whole load rather than one record).
MALFORMED_KINDS = ("null_key", "wrong_type", "missing_field")
STAR_SALT = 1 << 40  # a star's malformed key: repository index * STAR_SALT + user id


def error(message: str, status: int, headers: dict[str, str], docs: str = DOCS) -> Response:
    """GitHub's JSON error body."""
    body = {"message": message, "documentation_url": docs, "status": str(status)}
    return Response(orjson.dumps(body), status, headers, mimetype="application/json")


def number(raw: str | None, default: int) -> int:
    """A paging parameter; GitHub falls back to the default for unparsable values."""
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def page_links(request: Request, page: int, last: int) -> str:
    """The `Link` header: next/last (and prev/first after page 1)."""
    args = request.args.to_dict()

    def link(number: int, rel: str) -> str:
        query = urlencode({**args, "page": number})
        return f'<{request.base_url}?{query}>; rel="{rel}"'

    links = [link(page - 1, "prev"), link(1, "first")] if page > 1 else []
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return ", ".join(links)


class GitHubApp:
    """WSGI app answering like https://api.github.com for the SDK repositories."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        c = ctx.config
        self.repos = {r.full_name: r for r in generate(c.seed, c.scale, c.window_start, c.days)}
        self.quota = HourlyQuota(c.github_rate_limit)
        self.graphql_quota = HourlyQuota(c.github_rate_limit)
        self.anonymous = HourlyQuota(ANONYMOUS_LIMIT)
        self.secondary = RollingLimit(c.github_secondary_per_minute, 60.0)
        self.counts: dict[str, int] = ctx.state.setdefault("counts", dict.fromkeys(COUNTS, 0))
        self.log: MalformedLog = ctx.state.setdefault("malformed_log", MalformedLog("record"))
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1

    def dispatch(self, request: Request) -> Response:
        """Authenticate, apply the limits, route, answer (304 when the ETag matches)."""
        if request.path == "/health":
            return Response(b'{"status": "ok"}', mimetype="application/json")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() not in ("bearer", "token") or not hmac.compare_digest(
            token.encode(), self.ctx.config.github_token.encode()
        ):
            self.count("unauthorized")
            _, headers = self.anonymous.state(request.remote_addr or "", take=True)
            message = "Bad credentials" if token else "Requires authentication"
            return error(message, 401, headers)
        graphql = request.path.rstrip("/") == "/graphql"
        quota = self.graphql_quota if graphql else self.quota
        if request.path.rstrip("/") == "/rate_limit":
            return self.rate_limit(token)
        allowed, headers = self.state(quota, token, graphql)
        if not allowed:
            self.count("rate_limited")
            return error("API rate limit exceeded for user ID 1.", 403, headers, LIMIT_DOCS)
        wait = self.secondary.acquire(token)
        if wait > 0:
            self.count("secondary_limited")
            headers["Retry-After"] = retry_after(wait)
            return error(SECONDARY_MESSAGE, 403, headers, LIMIT_DOCS)
        status, body, extra = self.graphql(request) if graphql else self.route(request)
        data = orjson.dumps(body)
        etag = f'W/"{hashlib.sha256(data).hexdigest()[:40]}"'
        wanted = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
        if status == 200 and (etag in wanted or etag.removeprefix("W/") in wanted):
            self.count("not_modified")
            return Response(None, 304, {**headers, "ETag": etag})
        allowed, headers = self.state(quota, token, graphql, take=True)
        if not allowed:
            self.count("rate_limited")
            return error("API rate limit exceeded for user ID 1.", 403, headers, LIMIT_DOCS)
        self.count("served")
        out = {**headers, **extra, "ETag": etag, "X-GitHub-Media-Type": "github.v3; format=json"}
        return Response(data, status, out, mimetype="application/json")

    @staticmethod
    def state(
        quota: HourlyQuota, token: str, graphql: bool, take: bool = False
    ) -> tuple[bool, dict[str, str]]:
        """The quota's verdict and `X-RateLimit-*` headers naming its resource."""
        allowed, headers = quota.state(token, take=take)
        return allowed, {**headers, "X-RateLimit-Resource": "graphql" if graphql else "core"}

    def rate_limit(self, token: str) -> Response:
        """GET /rate_limit: this token's REST and GraphQL budgets (not counted against them)."""

        def resource(quota: HourlyQuota, name: str) -> dict[str, int | str]:
            _, h = quota.state(token)
            keys = ("limit", "remaining", "reset", "used")
            return {**{k: int(h[f"X-RateLimit-{k.title()}"]) for k in keys}, "resource": name}

        core, graphql = resource(self.quota, "core"), resource(self.graphql_quota, "graphql")
        body = {"resources": {"core": core, "graphql": graphql}, "rate": core}
        return Response(orjson.dumps(body), 200, mimetype="application/json")

    def graphql(self, request: Request) -> tuple[int, object, dict[str, str]]:
        """POST /graphql (see `fernway_sandbox.github_graphql`)."""
        if request.method != "POST":
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        try:
            body = orjson.loads(request.get_data())
        except orjson.JSONDecodeError:
            body = None
        now = int(self.ctx.now().timestamp())
        status, answer = github_graphql.execute(self.repos, now, body)
        return status, answer, {}

    def route(self, request: Request) -> tuple[int, object, dict[str, str]]:
        """(status, body, extra headers) of an authenticated request."""
        match = ROUTE.match(request.path)
        repo = self.repos.get(f"{match[1]}/{match[2]}".lower()) if match else None
        if match is None or repo is None or request.method not in ("GET", "HEAD"):
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}
        now = int(self.ctx.now().timestamp())
        if match[3] is None:
            return 200, self.repository(repo, now), {}
        if match[3] == "releases":
            shown = repo.releases_at(now)
            items = [self.release(repo, r) for r in shown]
            keys = [r.id for r in shown]
            return self.paged(
                request,
                len(items),
                lambda lo, hi: self.malformed(repo, "releases", items, keys, lo, hi),
            )
        if match[3] == "issues":
            return self.issues(request, repo, now)
        visible = repo.visible(now)
        starred = "star+json" in request.headers.get("Accept", "")

        def stars(lo: int, hi: int) -> list[dict]:
            idx = visible[lo:hi]
            ids = repo.user_id[idx].tolist()
            users = [user(u) for u in ids]
            items = users
            if starred:
                times = repo.starred_at[idx].tolist()
                items = [
                    {"starred_at": iso(t), "user": u} for t, u in zip(times, users, strict=True)
                ]
            return self.malformed(repo, "stargazers", items, ids, 0, len(items))

        return self.paged(request, len(visible), stars)

    def malformed(
        self, repo: Repo, endpoint: str, items: list[dict], keys: list[int], lo: int, hi: int
    ) -> list[dict]:
        """items[lo:hi], the deterministic malformed ones corrupted (and recorded)."""
        rate = self.ctx.faults.faults.malformed_rate
        page = items[lo:hi]
        if rate <= 0 or not page:
            return page
        kinds = record_kinds(self.ctx.config.seed, repo, endpoint, keys[lo:hi], rate)
        served = []
        for item, key, kind in zip(page, keys[lo:hi], kinds, strict=True):
            if kind is None:
                served.append(item)
                continue
            self.log.add(f"{endpoint}:{repo.full_name}:{key}", kind)
            served.append(corrupt(item, endpoint, kind))
        return served

    def issues(self, request: Request, repo: Repo, now: int) -> tuple[int, object, dict[str, str]]:
        """GET /repos/{owner}/{repo}/issues: `state` (open), `sort` (created), `direction`
        (desc), `since` (updated at or after, ISO 8601), paged like every listing."""
        state = request.args.get("state", "open")
        sort = ISSUE_SORTS.get(request.args.get("sort", "created"))
        direction = request.args.get("direction", "desc")
        since_raw = request.args.get("since")
        try:
            since = int(dt.datetime.fromisoformat(since_raw).timestamp()) if since_raw else None
        except ValueError:
            since = -1
        if state not in ("open", "closed", "all") or sort is None or since == -1:
            return 422, {"message": "Validation Failed", "documentation_url": DOCS}, {}
        if direction not in ("asc", "desc"):
            return 422, {"message": "Validation Failed", "documentation_url": DOCS}, {}
        items = [self.issue(repo, i, now) for i in repo.issues_at(now)]
        items = [i for i in items if state in ("all", i["state"])]
        if since is not None:
            items = [
                i for i in items if dt.datetime.fromisoformat(i["updated_at"]).timestamp() >= since
            ]
        items.sort(key=lambda i: (i[sort], i["number"]), reverse=direction == "desc")
        return self.paged(request, len(items), lambda lo, hi: items[lo:hi])

    def paged(
        self, request: Request, total: int, items: Callable[[int, int], list]
    ) -> tuple[int, object, dict[str, str]]:
        """One page (`per_page` 1-100, default 30; `page` from 1) with its `Link` header."""
        per_page = min(100, max(1, number(request.args.get("per_page"), 30)))
        page = max(1, number(request.args.get("page"), 1))
        last = max(1, -(-total // per_page))
        links = page_links(request, page, last)
        body = items((page - 1) * per_page, page * per_page)
        return 200, body, {"Link": links} if links else {}

    def repository(self, repo: Repo, now: int) -> dict:
        """GET /repos/{owner}/{repo}."""
        stars = len(repo.visible(now))
        published = [r.published_at for r in repo.releases_at(now) if r.published_at]
        base = f"{self.ctx.url}/repos/{repo.full_name}"
        return {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "owner": user(90_000_001, "Organization", OWNER),
            "html_url": f"https://github.com/{repo.full_name}",
            "description": repo.description,
            "fork": False,
            "url": base,
            "stargazers_url": f"{base}/stargazers",
            "releases_url": f"{base}/releases{{/id}}",
            "created_at": iso(repo.created_at),
            "updated_at": iso(last_change(repo, now)),
            "pushed_at": iso(max(published, default=repo.created_at)),
            "homepage": "https://fernway.example",
            "stargazers_count": stars,
            "watchers_count": stars,
            "subscribers_count": stars // 25,
            "forks_count": stars // 9,
            "open_issues_count": 3 + stars // 150,
            "language": repo.language,
            "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
            "topics": ["fernway", "sdk", "delivery"],
            "visibility": "public",
            "default_branch": "main",
            "archived": False,
        }

    def release(self, repo: Repo, r: Release) -> dict:
        """One item of GET /repos/{owner}/{repo}/releases."""
        base = f"{self.ctx.url}/repos/{repo.full_name}/releases"
        return {
            "url": f"{base}/{r.id}",
            "html_url": f"https://github.com/{repo.full_name}/releases/tag/{r.tag_name}",
            "id": r.id,
            "node_id": node_id("Release", r.id),
            "tag_name": r.tag_name,
            "target_commitish": "main",
            "name": r.tag_name,
            "draft": r.draft,
            "prerelease": r.prerelease,
            "created_at": iso(r.created_at),
            "published_at": iso(r.published_at),
            "author": user(90_000_002, "Bot", "fernway-release-bot[bot]"),
            "assets": [],
            "body": f"Release {r.tag_name} of {repo.name}.",
        }

    def issue(self, repo: Repo, i: Issue, now: int) -> dict:
        """One item of GET /repos/{owner}/{repo}/issues as it looks at `now`."""
        base = f"{self.ctx.url}/repos/{repo.full_name}/issues/{i.number}"
        closed = i.closed_by(now)
        return {
            "url": base,
            "repository_url": f"{self.ctx.url}/repos/{repo.full_name}",
            "labels_url": f"{base}/labels{{/name}}",
            "comments_url": f"{base}/comments",
            "events_url": f"{base}/events",
            "html_url": f"https://github.com/{repo.full_name}/issues/{i.number}",
            "id": i.id,
            "node_id": node_id("Issue", i.id),
            "number": i.number,
            "title": i.title,
            "user": user(i.user_id),
            "labels": [label(repo, name) for name in i.labels],
            "state": "closed" if closed else "open",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": i.comments_at(now),
            "created_at": iso(i.created_at),
            "updated_at": iso(i.updated_at(now)),
            "closed_at": iso(i.closed_at) if closed else None,
            "author_association": "NONE",
            "active_lock_reason": None,
            "body": f"{i.title}. Seen in the courier app; steps to reproduce follow.",
            "reactions": {"url": f"{base}/reactions", "total_count": 0, "+1": 0, "-1": 0},
            "timeline_url": f"{base}/timeline",
            "state_reason": "completed" if closed else None,
        }


def record_kinds(
    seed: int, repo: Repo, endpoint: str, keys: list[int], rate: float
) -> list[str | None]:
    """The malformed kind of each record (None: well-formed); a star's key is its user id, a
    release's its id."""
    salted = np.array(keys, dtype=np.int64) + (
        repo.index * STAR_SALT if endpoint == "stargazers" else 0
    )
    kinds = malformed_kinds(seed, salted, rate).tolist()
    return [MALFORMED_KINDS[k % len(MALFORMED_KINDS)] if k >= 0 else None for k in kinds]


def corrupt(item: dict, endpoint: str, kind: str) -> dict:
    """A release, a star (star+json) or a plain stargazer (a user) served as `kind`: its key
    null, a value of the wrong type (`draft` as text, `starred_at` as epoch seconds, `login` as
    a number) or a required field missing (`tag_name`, `starred_at`, `login`)."""
    bad = {**item, "user": dict(item["user"])} if "user" in item else dict(item)
    holder = bad.get("user", bad)  # the object holding the key `id`
    if kind == "null_key":
        holder["id"] = None
    elif endpoint == "releases":
        if kind == "wrong_type":
            bad["draft"] = "false"
        else:
            del bad["tag_name"]
    elif "starred_at" in bad:
        if kind == "wrong_type":
            bad["starred_at"] = int(dt.datetime.fromisoformat(bad["starred_at"]).timestamp())
        else:
            del bad["starred_at"]
    elif kind == "wrong_type":
        bad["login"] = 1234
    else:
        del bad["login"]
    return bad


def last_change(repo: Repo, now: int) -> int:
    """When the repository last changed up to `now` (created, a star, an unstar, a release):
    its `updated_at`, so an unchanged repository keeps its ETag."""
    starred = repo.starred_at[repo.starred_at <= now]  # sorted
    unstarred = repo.unstarred_at[repo.unstarred_at <= now]
    events = [repo.created_at, *(r.published_at or r.created_at for r in repo.releases_at(now))]
    events += [int(starred[-1])] if starred.size else []
    events += [int(unstarred.max())] if unstarred.size else []
    return max(events)


def label(repo: Repo, name: str) -> dict:
    """A label object as issues carry them."""
    number = int(hashlib.sha256(f"{repo.full_name}:{name}".encode()).hexdigest()[:8], 16)
    return {
        "id": number,
        "node_id": node_id("Label", number),
        "url": f"https://api.github.com/repos/{repo.full_name}/labels/{name.replace(' ', '%20')}",
        "name": name,
        "color": f"{number % 0xFFFFFF:06x}",
        "default": name in ("bug", "enhancement", "question", "documentation"),
        "description": None,
    }


def malformed_at_end(ctx: ServiceContext, repos: Sequence[Repo]) -> list[dict[str, str]]:
    """Records a client reading at the window end gets malformed, as recorded when served."""
    c = ctx.config
    rate = ctx.faults.faults.malformed_rate
    if rate <= 0:
        return []
    end = epoch_s(c.window_start) + c.days * DAY_S
    found = []
    for repo in repos:
        stars = repo.user_id[repo.visible(end)].tolist()
        releases = [r.id for r in repo.releases_at(end)]
        for endpoint, keys in (("stargazers", stars), ("releases", releases)):
            kinds = record_kinds(c.seed, repo, endpoint, keys, rate)
            found += [
                {"record": f"{endpoint}:{repo.full_name}:{key}", "kind": kind}
                for key, kind in zip(keys, kinds, strict=True)
                if kind is not None
            ]
    return sorted(found, key=lambda r: r["record"])


def recorded(ctx: ServiceContext) -> list[dict[str, str]]:
    """Records served malformed so far: [{"record": "<endpoint>:<repo>:<key>", "kind"}]."""
    log: MalformedLog | None = ctx.state.get("malformed_log")
    return log.records() if log else []


def truth(ctx: ServiceContext) -> dict:
    """Stars per repository and day (as of the window end) and releases; requests so far;
    the records served malformed at the window end."""
    c = ctx.config
    repos = generate(c.seed, c.scale, c.window_start, c.days)
    return {
        "github": {
            "token": c.github_token,
            "rate_limit": c.github_rate_limit,
            "secondary_per_minute": c.github_secondary_per_minute,
            "repos": {r.full_name: repo_truth(r, c.window_start, c.days) for r in repos},
            "requests": dict(ctx.state.get("counts") or dict.fromkeys(COUNTS, 0)),
            "malformed": malformed_at_end(ctx, repos),
        }
    }


def env(ctx: ServiceContext) -> dict[str, str]:
    """Where the platform finds the GitHub API, its token and the repositories to track."""
    return {
        "FERNWAY_GITHUB_URL": ctx.url,
        "FERNWAY_GITHUB_TOKEN": ctx.config.github_token,
        "FERNWAY_GITHUB_REPOS": ",".join(f"{OWNER}/{spec[0]}" for spec in REPOS),
    }


SPEC = ServiceSpec("github", GitHubApp, env=env, truth=truth, cli_port=8706, recorded=recorded)
