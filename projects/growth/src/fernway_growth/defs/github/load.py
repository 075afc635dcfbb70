"""One load of the GitHub tables: fetch outside the warehouse's writer slot, load inside it.

1. Slot: dlt restores its cursor, stored schema and remembered page ETags from the warehouse;
   declared tables that do not exist yet are created (what `growth apply` would create — never a
   change to an existing table: that fails the load and waits for `growth apply`); the keys the
   tables hold (stars: those still starred) are read.
2. No slot: every page of every repository is fetched (conditionally where it may be: a page
   whose keys the warehouse holds is asked for with its ETag, 304 = unchanged, no quota) and
   normalized by dlt (network time).
3. Slot: dlt loads (merge); the run's rejects replace the previous ones.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.exceptions import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed

from fernway_core.rejects import REJECTS_SCHEMA, REJECTS_TABLE, stamp
from fernway_core.warehouse import Replacement, Warehouse
from fernway_growth.defs.github.contracts import RELEASES, REPOSITORIES, SOURCE, STARGAZERS, TABLES
from fernway_growth.defs.github.destination import cursor_value, make_pipeline
from fernway_growth.defs.github.reconcile import apply, catalog, declared_from, read_plan
from fernway_growth.defs.github.rows import arrow_schema
from fernway_growth.defs.github.source import Api, Held, ReadLog, corrections, github_source

KEY = list(STARGAZERS.primary_key)


class SchemaDrift(RuntimeError):
    """The source or the warehouse no longer has the declared shape; nothing was loaded."""


@dataclass
class LoadOutcome:
    """What one load did, for metadata and checks."""

    rows_read: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    unstarred: int = 0
    late_stars: int = 0
    created: list[str] = field(default_factory=list)
    cursor_before: Any = None
    cursor_after: Any = None
    seconds: dict[str, float] = field(default_factory=dict)
    pages: dict[str, dict[str, int]] = field(default_factory=dict)  # fetched / not_modified


def _active_stars(warehouse: Warehouse) -> pa.Table:
    """Stars the warehouse holds as still starred (none before the first load)."""
    if "stargazers" not in catalog(warehouse):
        return arrow_schema(STARGAZERS).remove(len(STARGAZERS.columns) - 1).empty_table()
    columns = ", ".join(c.name for c in STARGAZERS.columns if c.name != "unstarred_at")
    return warehouse.query_arrow(
        f"select {columns} from github.stargazers where unstarred_at is null"
    )


def _held(warehouse: Warehouse, active: pa.Table) -> Held:
    """Keys the warehouse holds per table and repository (stars: only those still starred)."""
    held: Held = {}
    queries = {
        REPOSITORIES.name: "select full_name as repo, id as key from github.repositories",
        RELEASES.name: "select repo, id as key from github.releases",
    }
    tables = catalog(warehouse)
    parts = {n: warehouse.query_arrow(q) for n, q in queries.items() if n in tables}
    parts[STARGAZERS.name] = active.select(["repo", "user_id"]).rename_columns(["repo", "key"])
    for name, rows in parts.items():
        per_repo = held.setdefault(name, {})
        for repo, key in zip(rows["repo"].to_pylist(), rows["key"].to_pylist(), strict=True):
            per_repo.setdefault(repo, set()).add(key)
    return held


def _kept_stars(read: ReadLog) -> pa.Table:
    """(repo, user_id) of the stars on pages GitHub answered 304 (listed as before)."""
    kept = read.kept.get(STARGAZERS.name, {})
    repos = [repo for repo, keys in kept.items() for _ in keys]
    users = [key for keys in kept.values() for key in keys]
    return pa.table({"repo": pa.array(repos, pa.string()), "user_id": pa.array(users, pa.int64())})


def star_corrections(
    read: pa.Table,
    active: pa.Table,
    complete: set[str],
    cursor: Any,
    now: dt.datetime,
    kept: pa.Table | None = None,
) -> tuple[pa.Table, int, int]:
    """Rows the incremental cursor drops but the table needs: (rows, unstars, late stars).

    Unstars: stars held as active whose user is gone from a complete read of the repository
    (the stars of pages answered 304, `kept`, are listed as before). Late stars: stars read now,
    older than the cursor, the table does not hold (e.g. a repository newly added to
    FERNWAY_GITHUB_REPOS).
    """
    schema = read.schema
    listed = read.select(KEY)
    if kept is not None and kept.num_rows:
        listed = pa.concat_tables([listed, kept.select(KEY).cast(listed.schema)])
    gone = active.join(listed, keys=KEY, join_type="left anti")
    gone = gone.filter(pc.is_in(gone["repo"], pa.array(sorted(complete), pa.string())))
    unstar = pa.array([now] * gone.num_rows, schema.field("unstarred_at").type)
    gone = gone.append_column("unstarred_at", unstar).select(schema.names).cast(schema)
    late = read.slice(0, 0)
    if cursor is not None:
        older = read.filter(
            pc.less(read["starred_at"], pa.scalar(cursor, schema.field("starred_at").type))
        )
        late = older.join(active.select(KEY), keys=KEY, join_type="left anti")
        late = late.select(schema.names).cast(schema)
    return pa.concat_tables([gone, late]), gone.num_rows, late.num_rows


def _ensure_declared(warehouse: Warehouse, declared: Any) -> list[str]:
    """Create declared tables the warehouse lacks; refuse any other difference."""
    current = read_plan(warehouse, declared)
    creating = {c.table for c in current.changes if c.what.startswith("create table")}
    other = [c for c in current.to_apply if c.table not in creating]
    if other:
        raise SchemaDrift(
            "the warehouse differs from the declared GitHub pipeline ("
            + "; ".join(f"{c.table}: {c.what}" for c in other)
            + "): review `growth check`, then `growth apply`"
        )
    return apply(warehouse, declared, current) if creating else []


def load_github(
    api: Api,
    warehouse: Warehouse,
    now: dt.datetime,
    log: Callable[[str], None],
    tables: Collection[str] | None = None,
) -> LoadOutcome:
    """Fetch the tables (default: all three) of every repository and merge them into `github`.

    A subset (a run that selected some of the assets) fetches and loads only those tables;
    the others, their cursors and their rejects are left as they are.
    """
    names = [t.name for t in TABLES if tables is None or t.name in tables]
    if unknown := set(tables or ()) - set(names):
        raise ValueError(
            f"unknown GitHub tables {sorted(unknown)}; known: {[t.name for t in TABLES]}"
        )
    outcome = LoadOutcome()
    started = time.perf_counter()
    read = ReadLog()
    outcome.created = _ensure_declared(warehouse, declared_from(github_source(api)))
    with tempfile.TemporaryDirectory(prefix="growth-dlt-") as workdir:
        pipeline = make_pipeline(warehouse, Path(workdir))
        with warehouse.writer_slot():
            pipeline.sync_destination()
            active = _active_stars(warehouse)
            held = _held(warehouse, active)
        source = github_source(api, read, now, held).with_resources(*names)
        outcome.cursor_before = cursor_value(pipeline)
        outcome.seconds["prepare"] = time.perf_counter() - started
        mark = time.perf_counter()
        try:
            pipeline.extract(source)
            if any(read.drift.values()):  # rows the cursor drops never reach dlt's contract
                raise SchemaDrift(_drift_message(read, None))
            if STARGAZERS.name in names:
                stars = read.table(STARGAZERS.name)
                fixes, outcome.unstarred, outcome.late_stars = star_corrections(
                    stars,
                    active,
                    read.complete.get(STARGAZERS.name, set()),
                    outcome.cursor_before,
                    now,
                    _kept_stars(read),
                )
                if fixes.num_rows:
                    pipeline.extract(corrections(fixes))
            outcome.seconds["fetch_extract"] = time.perf_counter() - mark
            mark = time.perf_counter()
            pipeline.normalize()
        except PipelineStepFailed as exc:
            if isinstance(exc.exception, DataValidationError):
                raise SchemaDrift(_drift_message(read, exc.exception)) from exc
            raise
        outcome.seconds["normalize"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with warehouse.writer_slot():
            pipeline.load()
            _replace_rejects(warehouse, read, now, names)
        outcome.seconds["load"] = time.perf_counter() - mark
        outcome.cursor_after = cursor_value(pipeline)
    outcome.rows_read = {name: read.table(name).num_rows for name in names}
    outcome.pages = {name: read.pages.get(name, {}) for name in names}
    outcome.rejected = {name: sum(r.num_rows for r in read.rejects.get(name, [])) for name in names}
    log(
        f"github load: {outcome.rows_read} rows read, {outcome.rejected} rejected, "
        f"{outcome.unstarred} unstars, {outcome.late_stars} late stars; pages {outcome.pages}; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in outcome.seconds.items())
    )
    return outcome


def _drift_message(read: ReadLog, error: DataValidationError | None) -> str:
    fields = {t: sorted(f) for t, f in read.drift.items() if f}
    found = "; ".join(f"github.{t}: {', '.join(f)}" for t, f in fields.items()) or str(error)
    return (
        f"the GitHub API returned fields the pipeline does not declare ({found}); the frozen "
        "schema contract stopped the load. Declare them in contracts.py (loaded or ignored), "
        "then `growth check` / `growth apply`"
    )


def _replace_rejects(
    warehouse: Warehouse, read: ReadLog, now: dt.datetime, names: list[str]
) -> None:
    """A load reads each of its tables whole, so its rejects replace that table's previous ones."""
    loaded_at = now.astimezone(dt.UTC).replace(tzinfo=None)
    replacements = []
    for table in (t for t in TABLES if t.name in names):
        parts = read.rejects.get(table.name, [])
        rejects = pa.concat_tables(parts) if parts else REJECTS_SCHEMA.empty_table()
        replacements.append(
            Replacement(
                REJECTS_TABLE,
                stamp(rejects, loaded_at),
                "source = ? and entity = ?",
                [SOURCE, table.name],
            )
        )
    warehouse.replace_many(replacements)
