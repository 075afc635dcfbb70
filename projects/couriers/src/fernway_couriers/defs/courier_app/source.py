"""The courier-app dlt source: four incremental resources that hand dlt typed Arrow batches.

Each resource lists `GET /v1/<entity>?updated_since=<cursor>&limit=&cursor=` through
`fernway_core.http` (bearer token, keyset `cursor`/`next_cursor`, retries with exponential
backoff + jitter on 5xx/429/timeouts, `Retry-After` honoured). The cursor is dlt's incremental
`updated_at` (kept in the warehouse's `_dlt_pipeline_state`): the API filters server-side,
inclusively, so a record updated at the cursor's own second is read again and merged, never
lost. Every page is validated in DuckDB (`validate_records`): valid rows go to dlt as one
Arrow table per page, bad records to the run's rejects with a reason code, exact duplicates
collapse, undeclared fields are recorded with the ids of the records carrying them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from fernway_core.http import CursorPaginator, HttpClient
from fernway_core.rejects import REJECTS_SCHEMA
from fernway_core.validation import validate_records
from fernway_couriers.defs.courier_app.contracts import (
    CURSOR,
    DATASET,
    SOURCE,
    TABLES,
    Table,
    arrow_schema,
    columns_hint,
)

PAGE_SIZE = 1000
# Columns and their types are frozen: rows reach dlt with exactly the declared columns, so a
# column or type that differs from the stored schema (a code change that was not declared in
# contracts.py) fails the load at normalize instead of silently altering the table.
CONTRACT = {"tables": "evolve", "columns": "freeze", "data_type": "freeze"}


@dataclass(frozen=True)
class Api:
    """Where the courier app is and how to call it."""

    base_url: str
    token: str
    page_size: int = PAGE_SIZE
    max_retries: int = 6
    backoff_base_s: float = 0.5


@dataclass
class EntityRead:
    """What one run read of one entity."""

    listed: int = 0  # records the API served (malformed and duplicate copies included)
    duplicates: int = 0  # exact copies collapsed within a page
    ids: list[pa.Array] = field(default_factory=list)  # valid ids, page by page
    rejects: list[pa.Table] = field(default_factory=list)
    drift: dict[str, list[str]] = field(default_factory=dict)  # field -> ids carrying it
    since: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def valid_ids(self) -> pa.Array:
        """Every distinct valid id read (one per record merged)."""
        chunks = self.ids or [pa.array([], pa.string())]
        return pc.unique(pa.chunked_array(chunks, pa.string()))

    def rejects_table(self) -> pa.Table:
        """This run's rejects of the entity (`REJECTS_SCHEMA`)."""
        return pa.concat_tables(self.rejects) if self.rejects else REJECTS_SCHEMA.empty_table()

    def accounted(self) -> int:
        """Records the run can account for: merged + rejected + collapsed duplicates."""
        return len(self.valid_ids()) + self.rejects_table().num_rows + self.duplicates


@dataclass
class ReadLog:
    """What one run read, per entity."""

    entities: dict[str, EntityRead] = field(default_factory=dict)

    def of(self, name: str) -> EntityRead:
        """The read of entity `name` (created empty)."""
        return self.entities.setdefault(name, EntityRead())


def _undeclared(table: Table, records: list[dict]) -> dict[str, list[str]]:
    """Undeclared field -> ids of the records carrying it (a set difference per record)."""
    known = {f.name for f in table.spec.fields}
    found: dict[str, list[str]] = {}
    for record in records:
        for name in record.keys() - known:
            found.setdefault(name, []).append(str(record.get(table.key)))
    return found


def to_batch(table: Table, records: list[dict], read: EntityRead) -> pa.Table:
    """One page: validated, typed to the contract's Arrow schema; rejects and drift recorded."""
    result = validate_records(records, table.spec, source=SOURCE)
    read.listed += result.received
    read.duplicates += result.duplicates
    if result.rejects.num_rows:
        read.rejects.append(result.rejects)
    for name, ids in _undeclared(table, records).items():
        read.drift.setdefault(name, []).extend(ids)
    schema = arrow_schema(table)
    rows = result.valid.select(schema.names).cast(schema)
    read.ids.append(rows[table.key].combine_chunks())
    return rows


def _since(last: Any) -> str | None:
    """The `updated_since` parameter for a cursor value (ISO 8601, UTC)."""
    if last is None:
        return None
    return str(last.isoformat()) if hasattr(last, "isoformat") else str(last)


def read_entity(api: Api, table: Table, since: str | None, read: EntityRead) -> Iterator[pa.Table]:
    """Every record of one entity updated at or after `since`, one Arrow table per page."""
    read.since = since
    params: dict[str, Any] = {"limit": api.page_size}
    if since:
        params["updated_since"] = since
    with HttpClient(
        api.base_url,
        bearer_token=api.token,
        max_retries=api.max_retries,
        backoff_base_s=api.backoff_base_s,
    ) as client:
        try:
            for page in client.paginate(table.endpoint, params, CursorPaginator()):
                # an empty batch too: dlt then creates a table the API has no rows for yet
                yield to_batch(table, page, read)
        finally:
            read.stats = client.stats.as_metadata()


def _resource(api: Api, table: Table, log: ReadLog) -> DltResource:
    def rows(
        updated_at: dlt.sources.incremental[Any] = dlt.sources.incremental(  # noqa: B008
            CURSOR, primary_key=()
        ),
    ) -> Iterator[pa.Table]:
        # no boundary de-duplication (primary_key=()): records at the cursor are merged again
        yield from read_entity(api, table, _since(updated_at.last_value), log.of(table.name))

    hints: dict[str, Any] = {
        "name": table.name,
        "table_name": table.name,
        "write_disposition": "merge",
        "primary_key": table.key,
        "columns": columns_hint(table),
        "schema_contract": CONTRACT,
    }
    return dlt.resource(rows, **hints)()


def courier_app_source(api: Api, log: ReadLog | None = None) -> DltSource:
    """The dlt source of the four tables (what `@dlt_assets` declares and the load runs)."""
    read_log = log if log is not None else ReadLog()

    @dlt.source(name=DATASET, max_table_nesting=0)
    def courier_app() -> list[DltResource]:
        return [_resource(api, table, read_log) for table in TABLES]

    return courier_app()
