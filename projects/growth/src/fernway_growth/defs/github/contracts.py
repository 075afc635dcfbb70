"""The warehouse contract of the GitHub loads: dataset `github`, its tables and their columns.

dbt models (`projects/growth/dbt/`) build on these names; `growth check` compares the warehouse
against them and `growth apply` creates what is missing. Types are dlt data types
(`text`, `bigint`, `bool`, `timestamp` = timestamptz in DuckDB and Postgres). Rows reach dlt as
Arrow, so tables hold exactly these columns; dlt keeps its own `_dlt_*` tables in the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

DATASET = "github"  # dlt dataset = warehouse schema
SOURCE = "github"  # `source` of this location's rows in raw.rejects
PIPELINE = "growth_github"


@dataclass(frozen=True)
class Column:
    """One declared column: its dlt data type, whether it may be null, what it holds."""

    name: str
    data_type: str
    nullable: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One resource of the GitHub source and the table it loads."""

    name: str
    endpoint: str  # path under the API base URL, `{repo}` = owner/name
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    write_disposition: str = "merge"
    cursor: str | None = None  # dlt incremental cursor column
    # Source fields deliberately not loaded. A field neither loaded nor listed here is schema
    # drift: it reaches dlt as an undeclared column and the frozen contract fails the load.
    ignored: frozenset[str] = field(default_factory=frozenset)
    description: str = ""

    @property
    def qualified(self) -> str:
        """`github.<table>` in the warehouse."""
        return f"{DATASET}.{self.name}"

    @property
    def asset_key(self) -> dg.AssetKey:
        """`["github", "<table>"]`."""
        return dg.AssetKey([DATASET, self.name])

    def column(self, name: str) -> Column:
        """The declared column called `name`."""
        return next(c for c in self.columns if c.name == name)


_USER_IGNORED = frozenset(
    {
        "node_id",
        "avatar_url",
        "gravatar_id",
        "url",
        "html_url",
        "followers_url",
        "following_url",
        "gists_url",
        "starred_url",
        "subscriptions_url",
        "organizations_url",
        "repos_url",
        "events_url",
        "received_events_url",
        "user_view_type",
        "site_admin",
    }
)

REPOSITORIES = Table(
    name="repositories",
    endpoint="repos/{repo}",
    description="One row per tracked repository: metadata and counts as of the last load.",
    primary_key=("id",),
    write_disposition="merge",
    columns=(
        Column("id", "bigint", description="GitHub repository id"),
        Column("full_name", "text", description="owner/name"),
        Column("name", "text"),
        Column("description", "text", nullable=True),
        Column("language", "text", nullable=True),
        Column("html_url", "text"),
        Column("default_branch", "text"),
        Column("archived", "bool"),
        Column("stargazers_count", "bigint", description="stars listed now (unstars excluded)"),
        Column("watchers_count", "bigint"),
        Column("forks_count", "bigint"),
        Column("open_issues_count", "bigint"),
        Column("subscribers_count", "bigint", nullable=True),
        Column("created_at", "timestamp"),
        Column("updated_at", "timestamp"),
        Column("pushed_at", "timestamp", nullable=True),
        Column("fetched_at", "timestamp", description="when this load read the repository"),
    ),
    ignored=frozenset(
        {
            "node_id",
            "private",
            "owner",
            "fork",
            "url",
            "stargazers_url",
            "releases_url",
            "homepage",
            "license",
            "topics",
            "visibility",
        }
    ),
)

STARGAZERS = Table(
    name="stargazers",
    endpoint="repos/{repo}/stargazers",
    description=(
        "One row per repository and user who starred it (star+json); `unstarred_at` is set "
        "when the user is gone from a complete read of the list."
    ),
    primary_key=("repo", "user_id"),
    write_disposition="merge",
    cursor="starred_at",
    columns=(
        Column("repo", "text", description="owner/name of the starred repository"),
        Column("user_id", "bigint", description="GitHub user id"),
        Column("user_login", "text"),
        Column("user_type", "text", nullable=True, description="User, Organization, Bot"),
        Column("starred_at", "timestamp"),
        Column(
            "unstarred_at",
            "timestamp",
            nullable=True,
            description="first load that no longer saw the star (NULL: still starred)",
        ),
    ),
    ignored=frozenset({f"user.{name}" for name in _USER_IGNORED}),
)

RELEASES = Table(
    name="releases",
    endpoint="repos/{repo}/releases",
    description="One row per release of a tracked repository (drafts included).",
    primary_key=("id",),
    write_disposition="merge",
    columns=(
        Column("id", "bigint", description="GitHub release id"),
        Column("repo", "text", description="owner/name"),
        Column("tag_name", "text"),
        Column("name", "text", nullable=True),
        Column("draft", "bool"),
        Column("prerelease", "bool"),
        Column("target_commitish", "text", nullable=True),
        Column("html_url", "text"),
        Column("created_at", "timestamp"),
        Column("published_at", "timestamp", nullable=True, description="NULL for drafts"),
    ),
    ignored=frozenset({"url", "node_id", "author", "assets", "body"}),
)

TABLES = (REPOSITORIES, STARGAZERS, RELEASES)
