"""The GitHub source: conditional page reads over the configured base URL, Arrow batches out.

dlt's REST client does the HTTP (bearer token, the star+json media type, retries on 429/5xx and
`Retry-After`); every page (`per_page=100`, followed while `Link` has `rel="next"`) whose ETag
is remembered is asked for with `If-None-Match`, and a 304 costs no quota (`pages.py`). The
three resources dlt loads (`repositories`, `stargazers`, `releases`) read every repository in
parallel and hand dlt typed Arrow batches of up to 10,000 rows (`rows.to_batch`), never dicts.
`stargazers` is incremental on `starred_at` and merged on (repo, user_id); what a complete read
learns beyond the cursor — unstars, stars older than the cursor not yet loaded (a newly tracked
repository) — is written by `corrections`. `rest_config` (dlt's `rest_api`) backs the
connectivity check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.rest_api import rest_api_source

from fernway_growth.defs.github.contracts import (
    DATASET,
    RELEASES,
    REPOSITORIES,
    STARGAZERS,
    TABLES,
    Table,
)
from fernway_growth.defs.github.pages import PageRead, Remembered, read_pages, remember
from fernway_growth.defs.github.rows import Batch, arrow_schema, pick, to_batch

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
# The key that tells a repository's records apart (what a remembered page lists).
RECORD_KEY = {REPOSITORIES.name: "id", STARGAZERS.name: "user_id", RELEASES.name: "id"}
# Keys the warehouse holds per table and repository (stargazers: the stars still starred).
Held = dict[str, dict[str, set[int]]]


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
    kept: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # keys of 304 pages
    pages: dict[str, dict[str, int]] = field(default_factory=dict)  # fetched / not_modified
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, table: str, repo: str, batches: list[Batch], read: PageRead) -> None:
        """Record one repository's complete read of `table`."""
        with self.lock:
            self.kept.setdefault(table, {})[repo] = read.kept
            counts = self.pages.setdefault(table, {"fetched": 0, "not_modified": 0})
            counts["fetched"] += read.fetched
            counts["not_modified"] += read.not_modified
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


def _endpoint(table: Table, repo: str) -> tuple[str, dict[str, Any] | None, dict[str, str]]:
    """(path, paging parameters — None for a single object —, extra headers) of one endpoint."""
    params = None if table.name == REPOSITORIES.name else {"per_page": PER_PAGE}
    headers = {"Accept": STAR_JSON} if table.name == STARGAZERS.name else {}
    return table.endpoint.format(repo=repo), params, headers


CLIENT_HEADERS = {"Accept": GITHUB_JSON, "X-GitHub-Api-Version": "2022-11-28"}


def rest_config(api: Api, tables: tuple[Table, ...] = TABLES) -> dict[str, Any]:
    """The `rest_api` configuration: one resource per table and repository."""
    resources = []
    for table in tables:
        for repo in api.repos:
            path, params, headers = _endpoint(table, repo)
            endpoint: dict[str, Any] = {"path": path}
            if params is None:
                endpoint["paginator"] = "single_page"
            else:
                endpoint["params"] = params
            if headers:
                endpoint["headers"] = headers
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
            "headers": CLIENT_HEADERS,
            "paginator": "header_link",
        },
        "resource_defaults": {"endpoint": {"data_selector": "$"}},
        "resources": resources,
    }


def check_connection(api: Api) -> tuple[bool, str]:
    """Whether the API answers the token with the first repository's releases (one page)."""
    source = rest_api_source(rest_config(api, (RELEASES,)), name="github_check")  # type: ignore[arg-type]
    return dlt.sources.rest_api.check_connection(source, _resource_name(RELEASES, api.repos[0]))


def _read_repo(
    api: Api,
    table: Table,
    repo: str,
    now: dt.datetime,
    remembered: list[Remembered],
    held: set[int],
) -> tuple[list[Batch], PageRead]:
    """Every page of one repository's endpoint (conditional where it may be), as Arrow batches."""
    client = RESTClient(
        base_url=api.base_url.rstrip("/") + "/",
        headers=CLIENT_HEADERS,
        auth=BearerTokenAuth(api.token),
    )
    read = read_pages(client, *_endpoint(table, repo), remembered, held)
    constants: dict[str, Any] = {"repo": repo, "fetched_at": now, "unstarred_at": None}
    constants = {k: v for k, v in constants.items() if k in {c.name for c in table.columns}}
    batches: list[Batch] = []
    rejected: set[int] = set()
    for start in range(0, max(len(read.items), 1), BATCH_ROWS):
        items = read.items[start : start + BATCH_ROWS]
        batch = to_batch(table, PATHS[table.name], items, constants)
        batches.append(batch)
        rejected.update(start + i for i in batch.rejected)
    keys = pick(read.items, PATHS[table.name][RECORD_KEY[table.name]])
    read.pages = remember(read, keys, rejected)
    return batches, read


def _read(api: Api, table: Table, log: ReadLog, now: dt.datetime, held: Held) -> Iterator[pa.Table]:
    """One table over every repository, read in parallel; Arrow tables out. The pages to ask
    for conditionally next time are kept in the resource's dlt state."""
    state = dlt.current.resource_state(table.name)
    # pages remembered under another contract were checked against other rules: read them again
    contract = _fingerprint(table)
    remembered: dict[str, list[Remembered]] = (
        state.get("pages", {}) if state.get("contract") == contract else {}
    )
    keys = held.get(table.name, {})
    with ThreadPoolExecutor(max_workers=len(api.repos)) as pool:
        futures = {
            repo: pool.submit(
                _read_repo, api, table, repo, now, remembered.get(repo, []), keys.get(repo, set())
            )
            for repo in api.repos
        }
        pages = {}
        for repo, future in futures.items():
            batches, read = future.result()
            log.add(table.name, repo, batches, read)
            pages[repo] = read.pages
            for batch in batches:
                if batch.rows.num_rows:
                    yield batch.rows
    state["pages"] = pages
    state["contract"] = contract


def _fingerprint(table: Table) -> str:
    """A digest of what the table's rows are checked against (columns, paths, ignored fields)."""
    rules = (table.columns, table.primary_key, sorted(table.ignored), PATHS[table.name])
    return hashlib.sha256(repr(rules).encode()).hexdigest()[:16]


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
    api: Api, log: ReadLog | None = None, now: dt.datetime | None = None, held: Held | None = None
) -> DltSource:
    """The dlt source of the three tables (what `@dlt_assets` and `growth check` see); `held`:
    the keys the warehouse holds, without which no page is asked for conditionally."""
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
                dlt.resource(_read(api, table, read_log, at, held or {}), **_hints(table), **extra)
            )
        return resources

    return github()


def corrections(rows: pa.Table) -> DltResource:
    """Star rows the incremental cursor would drop: unstars, and stars older than the cursor."""
    return dlt.resource(
        [rows] if rows.num_rows else [],
        **{**_hints(STARGAZERS), "name": "stargazers_corrections"},
    )
