"""GitHub's GraphQL API (`POST /graphql`) for the stand-in's repositories: releases.

A real GraphQL executor (graphql-core) over the part of GitHub's schema that clients of the
releases listing use (Airbyte's GitHub source reads releases this way): `repository(owner,
name) { releases(first, after, orderBy) { nodes { ... } pageInfo { ... } } }`. Field names,
connection pagination with opaque cursors, `first` limits and error shapes (`type: NOT_FOUND`
with `data.repository: null`) follow GitHub; any other query is validated against this schema
and answered with GraphQL errors, as GitHub does for unknown fields.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync

from fernway_sandbox.github_repos import Release, Repo, iso, node_id

SDL = """
type Query { repository(owner: String!, name: String!): Repository }
type Repository {
  id: ID!
  databaseId: Int
  name: String!
  nameWithOwner: String!
  releases(first: Int, after: String, orderBy: ReleaseOrder): ReleaseConnection!
}
input ReleaseOrder { field: ReleaseOrderField!, direction: OrderDirection! }
enum ReleaseOrderField { CREATED_AT NAME }
enum OrderDirection { ASC DESC }
type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}
type ReleaseConnection { nodes: [Release], pageInfo: PageInfo!, totalCount: Int! }
type Release {
  id: ID!
  databaseId: Int
  name: String
  tagName: String!
  createdAt: DateTime!
  publishedAt: DateTime
  updatedAt: DateTime!
  isDraft: Boolean!
  isPrerelease: Boolean!
  description: String
  descriptionHTML: HTML
  url: URI!
  tagCommit: Commit
  author: User
  releaseAssets(first: Int, after: String): ReleaseAssetConnection!
  reactionGroups: [ReactionGroup!]
  mentions(first: Int, after: String): UserConnection
}
type Commit { oid: GitObjectID! }
type User {
  id: ID!
  databaseId: Int
  login: String!
  avatarUrl: URI!
  url: URI!
  isSiteAdmin: Boolean!
}
type ReleaseAsset {
  id: ID!
  name: String!
  contentType: String!
  size: Int!
  downloadCount: Int!
  createdAt: DateTime!
  updatedAt: DateTime!
  downloadUrl: URI!
  url: URI!
  uploadedBy: User!
}
type ReleaseAssetConnection { nodes: [ReleaseAsset], pageInfo: PageInfo!, totalCount: Int! }
enum ReactionContent { THUMBS_UP THUMBS_DOWN LAUGH HOORAY CONFUSED HEART ROCKET EYES }
type ReactorConnection { totalCount: Int! }
type ReactionGroup { content: ReactionContent!, reactors(first: Int): ReactorConnection! }
type UserConnection { totalCount: Int!, nodes: [User] }
scalar DateTime
scalar HTML
scalar URI
scalar GitObjectID
"""
SCHEMA = build_schema(SDL)
REACTIONS = ("THUMBS_UP", "THUMBS_DOWN", "LAUGH", "HOORAY", "CONFUSED", "HEART", "ROCKET", "EYES")
RELEASE_BOT = 90_000_002


class NotFound(Exception):
    """GitHub's NOT_FOUND error type (data at the path is null)."""


def cursor(position: int) -> str:
    """An opaque connection cursor for a 0-based position."""
    return base64.b64encode(f"cursor:v2:{position}".encode()).decode()


def position(after: str | None) -> int:
    """The position after `after` (0 without a cursor); a malformed cursor is an error."""
    if after is None:
        return 0
    try:
        kind, _, number = base64.b64decode(after).decode().rpartition(":")
        if kind == "cursor:v2":
            return int(number) + 1
    except ValueError:
        pass
    raise GraphQLError(f"`{after}` does not appear to be a valid cursor.")


def first_of(first: int | None, connection: str) -> int:
    """GitHub's rule: `first` is required and within 0-100."""
    if first is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the "
            f"`{connection}` connection."
        )
    if not 0 <= first <= 100:
        raise GraphQLError(
            f"Requesting {first} records on the `{connection}` connection exceeds the `first` "
            "limit of 100 records."
        )
    return first


def page(items: list, first: int | None, after: str | None, connection: str) -> dict[str, Any]:
    """One page of a connection with its pageInfo."""
    size, start = first_of(first, connection), position(after)
    nodes = items[start : start + size]
    end = start + len(nodes) - 1
    return {
        "nodes": nodes,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": start + len(nodes) < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": cursor(start) if nodes else None,
            "endCursor": cursor(end) if nodes else None,
        },
    }


def release_node(repo: Repo, r: Release) -> dict[str, Any]:
    """A Release object (REST's fields under their GraphQL names)."""
    empty = {"nodes": [], "totalCount": 0, "pageInfo": {"hasNextPage": False}}
    text = f"Release {r.tag_name} of {repo.name}."
    login = "fernway-release-bot"
    return {
        "id": node_id("Release", r.id),
        "databaseId": r.id,
        "name": r.tag_name,
        "tagName": r.tag_name,
        "createdAt": iso(r.created_at),
        "publishedAt": iso(r.published_at),
        "updatedAt": iso(r.published_at or r.created_at),
        "isDraft": r.draft,
        "isPrerelease": r.prerelease,
        "description": text,
        "descriptionHTML": f"<p>{text}</p>",
        "url": f"https://github.com/{repo.full_name}/releases/tag/{r.tag_name}",
        "tagCommit": {"oid": hashlib.sha1(f"{repo.full_name}@{r.tag_name}".encode()).hexdigest()},
        "author": {
            "id": node_id("User", RELEASE_BOT),
            "databaseId": RELEASE_BOT,
            "login": login,
            "avatarUrl": f"https://avatars.githubusercontent.com/u/{RELEASE_BOT}?v=4",
            "url": f"https://github.com/{login}",
            "isSiteAdmin": False,
        },
        "releaseAssets": lambda info, first=None, after=None: empty,
        "reactionGroups": [{"content": c, "reactors": {"totalCount": 0}} for c in REACTIONS],
        "mentions": lambda info, first=None, after=None: {"totalCount": 0, "nodes": []},
    }


def created(release: Release) -> int:
    """Sort key: creation time."""
    return release.created_at


def execute(repos: dict[str, Repo], now: int, body: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, response body) of one GraphQL request at epoch second `now`."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 400, {"message": "Problems parsing JSON", "documentation_url": DOCS}
    variables = body.get("variables") if isinstance(body.get("variables"), dict) else None

    def repository(info: Any, owner: str, name: str) -> dict[str, Any]:
        repo = repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")

        def releases(
            info: Any, first: int | None = None, after: str | None = None, orderBy: Any = None
        ) -> dict[str, Any]:
            shown = repo.releases_at(now)  # newest first: GitHub's default order
            if orderBy:
                by_name = orderBy["field"] == "NAME"
                key: Callable[[Release], Any] = (lambda r: r.tag_name) if by_name else created
                shown = sorted(shown, key=key, reverse=orderBy["direction"] == "DESC")
            return page([release_node(repo, r) for r in shown], first, after, "releases")

        return {
            "id": node_id("Repository", repo.id),
            "databaseId": repo.id,
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "releases": releases,
        }

    result = graphql_sync(
        SCHEMA,
        body["query"],
        root_value={"repository": repository},
        variable_values=variables,
        operation_name=body.get("operationName"),
    )
    out: dict[str, Any] = {}
    if result.data is not None:
        out["data"] = result.data
    if result.errors:
        out["errors"] = [error_body(e) for e in result.errors]
    return 200, out


def error_body(error: GraphQLError) -> dict[str, Any]:
    """GitHub's error entry: `type` (NOT_FOUND) where it has one, path, locations, message."""
    body: dict[str, Any] = {"message": error.message}
    if isinstance(error.original_error, NotFound):
        body = {"type": "NOT_FOUND", **body}
    if error.path:
        body["path"] = list(error.path)
    if error.locations:
        body["locations"] = [{"line": x.line, "column": x.column} for x in error.locations]
    return body


DOCS = "https://docs.github.com/graphql"
