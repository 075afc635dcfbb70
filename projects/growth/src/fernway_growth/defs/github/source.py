"""The GitHub source: `dlt.sources.rest_api` over the configured base URL, Arrow batches out.

`rest_api` does the HTTP (bearer token, `Link`-header pagination, `per_page=100`, the star+json
media type, retries on 429/5xx and `Retry-After`); one rest_api resource per repository and
endpoint. The three resources dlt loads (`repositories`, `stargazers`, `releases`) read those
for every repository in parallel and hand dlt typed Arrow batches of up to 10,000 rows
(`rows.to_batch`), never dicts. `stargazers` is incremental on `starred_at` and merged on
(repo, user_id); what a complete read learns beyond the cursor — unstars, stars older than the
cursor not yet loaded (a newly tracked repository) — is written by `corrections`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.sources.rest_api import rest_api_resources, rest_api_source

from fernway_growth.defs.github.contracts import (
    DATASET,
    RELEASES,
    REPOSITORIES,
    STARGAZERS,
    TABLES,
    Table,
)
from fernway_growth.defs.github.rows import Batch, arrow_schema, to_batch

PER_PAGE = 100
BATCH_ROWS = 10_000
STAR_JSON = "application/vnd.github.star+json"
GITHUB_JSON = "application/vnd.github+json"
# Columns and types frozen: an undeclared column or type fails the load (the source changed
# shape); tables come only from the declared resources, created by apply. A declared
# change reaches an existing table only through `growth apply`.
CONTRACT = {"tables": "evolve", "columns": "freeze", "data_type": "freeze"}
# JSON path of each column read from the API (the rest are constants set per repository).
PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    REPOSITORIES.name: {
        c.name: (c.name,) for c in REPOSITORIES.columns if c.name not in ("fetched_at",)
    },
    STARGAZERS.name: {
        "user_id": ("user", "id"),
        "user_login": ("user", "login"),
        "user_type": ("user", "type"),
        "starred_at": ("starred_at",),
    },
    RELEASES.name: {c.name: (c.name,) for c in RELEASES.columns if c.name != "repo"},
}


@dataclass(frozen=True)
class Api:
    """Where the API is and which repositories to read."""

    base_url: str
    token: str
    repos: tuple[str, ...]


@dataclass
class ReadLog:
    """What one load read: every valid row per table, rejects, drift, complete repositories."""

    rows: dict[str, list[pa.Table]] = field(default_factory=dict)
    rejects: dict[str, list[pa.Table]] = field(default_factory=dict)
    drift: dict[str, set[str]] = field(default_factory=dict)
    complete: dict[str, set[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, table: str, repo: str, batches: list[Batch]) -> None:
        """Record one repository's complete read of `table`."""
        with self.lock:
            self.rows.setdefault(table, []).extend(b.rows for b in batches)
            self.rejects.setdefault(table, []).extend(b.rejects for b in batches)
            self.drift.setdefault(table, set()).update(*(b.drift for b in batches))
            # a repository with rejected records is not a complete read: who is missing from
            # it may only have been rejected, so no unstar is inferred from it
            if not any(b.rejects.num_rows for b in batches):
                self.complete.setdefault(table, set()).add(repo)

    def table(self, name: str) -> pa.Table:
        """Every valid row read of table `name` (declared columns only)."""
        schema = arrow_schema(next(t for t in TABLES if t.name == name))
        parts = [t.select(schema.names) for t in self.rows.get(name, [])]
        return pa.concat_tables(parts) if parts else schema.empty_table()


def _resource_name(table: Table, repo: str) -> str:
    return f"{table.name}__{repo.replace('/', '__').replace('-', '_').replace('.', '_')}"


def rest_config(api: Api, tables: tuple[Table, ...] = TABLES) -> dict[str, Any]:
    """The `rest_api` configuration: one resource per table and repository."""
    resources = []
    for table in tables:
        for repo in api.repos:
            endpoint: dict[str, Any] = {"path": table.endpoint.format(repo=repo)}
            if table.name == REPOSITORIES.name:
                endpoint["paginator"] = "single_page"
            else:
                endpoint["params"] = {"per_page": PER_PAGE}
            if table.name == STARGAZERS.name:
                endpoint["headers"] = {"Accept": STAR_JSON}
            resources.append(
                {
                    "name": _resource_name(table, repo),
                    "table_name": table.name,
                    "endpoint": endpoint,
                }
            )
    return {
        "client": {
            "base_url": api.base_url.rstrip("/") + "/",
            "auth": {"type": "bearer", "token": api.token},
            "headers": {"Accept": GITHUB_JSON, "X-GitHub-Api-Version": "2022-11-28"},
            "paginator": "header_link",
        },
        "resource_defaults": {"endpoint": {"data_selector": "$"}},
        "resources": resources,
    }


def check_connection(api: Api) -> tuple[bool, str]:
    """Whether the API answers the token with the first repository's releases (one page)."""
    source = rest_api_source(rest_config(api, (RELEASES,)), name="github_check")  # type: ignore[arg-type]
    return dlt.sources.rest_api.check_connection(source, _resource_name(RELEASES, api.repos[0]))


def _read_repo(table: Table, repo: str, endpoint: DltResource, now: dt.datetime) -> list[Batch]:
    """Every item of one repository's endpoint, as Arrow batches."""
    constants: dict[str, Any] = {"repo": repo, "fetched_at": now, "unstarred_at": None}
    constants = {k: v for k, v in constants.items() if k in {c.name for c in table.columns}}
    batches, items = [], []
    for item in endpoint:
        items.append(item)
        if len(items) >= BATCH_ROWS:
            batches.append(to_batch(table, PATHS[table.name], items, constants))
            items = []
    if items or not batches:
        batches.append(to_batch(table, PATHS[table.name], items, constants))
    return batches


def _read(api: Api, table: Table, log: ReadLog, now: dt.datetime) -> Iterator[pa.Table]:
    """One table over every repository, read in parallel; Arrow tables out."""
    endpoints = {r.name: r for r in rest_api_resources(rest_config(api, (table,)))}  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=len(api.repos)) as pool:
        futures = {
            repo: pool.submit(_read_repo, table, repo, endpoints[_resource_name(table, repo)], now)
            for repo in api.repos
        }
        for repo, future in futures.items():
            batches = future.result()
            log.add(table.name, repo, batches)
            for batch in batches:
                if batch.rows.num_rows:
                    yield batch.rows


def _hints(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "table_name": table.name,
        "write_disposition": table.write_disposition,
        "primary_key": list(table.primary_key),
        "columns": columns_hint(table),
        "schema_contract": CONTRACT,
    }


def columns_hint(table: Table) -> dict[str, dict[str, Any]]:
    """dlt column hints of a table's declared columns."""
    return {
        c.name: {
            "name": c.name,
            "data_type": c.data_type,
            "nullable": c.nullable,
            **({"primary_key": True} if c.name in table.primary_key else {}),
            **({"description": c.description} if c.description else {}),
        }
        for c in table.columns
    }


def github_source(
    api: Api, log: ReadLog | None = None, now: dt.datetime | None = None
) -> DltSource:
    """The dlt source of the three tables (what `@dlt_assets` and `growth check` see)."""
    read_log = log if log is not None else ReadLog()
    at = now or dt.datetime.now(dt.UTC)

    @dlt.source(name=DATASET, max_table_nesting=0)
    def github() -> list[DltResource]:
        resources = []
        for table in TABLES:
            extra: dict[str, Any] = {}
            if table.cursor:
                extra["incremental"] = dlt.sources.incremental(table.cursor)
            resources.append(
                dlt.resource(_read(api, table, read_log, at), **_hints(table), **extra)
            )
        return resources

    return github()


def corrections(rows: pa.Table) -> DltResource:
    """Star rows the incremental cursor would drop: unstars, and stars older than the cursor."""
    return dlt.resource(
        [rows] if rows.num_rows else [],
        **{**_hints(STARGAZERS), "name": "stargazers_corrections"},
    )
