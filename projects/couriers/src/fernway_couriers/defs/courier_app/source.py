"""The courier-app dlt source: four incremental resources that hand dlt typed Arrow batches.

Each resource lists `GET /v1/<entity>?updated_since=<cursor>&limit=&cursor=` through
`fernway_core.http` (bearer token, keyset `cursor`/`next_cursor`, retries with exponential
backoff + jitter on 5xx/429/timeouts, `Retry-After` honoured). The cursor is dlt's incremental
`updated_at` (kept in the warehouse's `_dlt_pipeline_state`): the API filters server-side,
inclusively, so a record updated at the cursor's own second is read again and merged, never
lost. Every page is validated in DuckDB (`validate_records`): valid rows go to dlt as one
Arrow table per page, bad records to the run's rejects with a reason code: among them an exact
copy of a record already in the page (`duplicate`, the first is kept) and a record carrying a
field the contract does not declare (`undeclared_field`: the frozen contract loads no such
record half). Versions of one id in a page collapse to the latest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from fernway_core.http import CursorPaginator, HttpClient
from fernway_core.rejects import REJECTS_SCHEMA, Reason
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
    duplicates: int = 0  # older versions of an id collapsed within a page
    ids: list[pa.Array] = field(default_factory=list)  # valid ids, page by page
    rejects: list[pa.Table] = field(default_factory=list)
    drift: dict[str, list[str]] = field(default_factory=dict)  # field -> ids of rejected records
    seen: set[bytes] = field(default_factory=set)  # digests of the records read (copies found)
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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, default=str)


def screen(
    table: Table, records: list[dict], seen: set[bytes]
) -> tuple[list[dict], list[dict[str, Any]]]:
    """(records to validate, rejects): an exact copy of a record already read (its digest in
    `seen`) is a `duplicate`, a record with a field the contract does not declare
    `undeclared_field` (the first such field, by name, and its value)."""
    known = {f.name for f in table.spec.fields}
    kept: list[dict] = []
    rejects: list[dict[str, Any]] = []
    for record in records:
        payload = json.dumps(record, sort_keys=True, default=str)
        digest = hashlib.blake2b(payload.encode(), digest_size=16).digest()
        key = _text(record.get(table.key))
        undeclared = sorted(record.keys() - known)
        if digest in seen:
            reason, name, value = Reason.DUPLICATE, table.key, key
        elif undeclared:
            reason, name, value = Reason.UNDECLARED_FIELD, undeclared[0], record[undeclared[0]]
        else:
            seen.add(digest)
            kept.append(record)
            continue
        rejects.append(
            {
                "source": SOURCE,
                "entity": table.name,
                "record_key": key,
                "reason": str(reason),
                "field": name,
                "value": _text(value),
                "payload": payload,
                "partition_key": None,
            }
        )
    return kept, rejects


def to_batch(table: Table, records: list[dict], read: EntityRead) -> pa.Table:
    """One page: screened, validated, typed to the contract's Arrow schema; rejects recorded."""
    kept, screened = screen(table, records, read.seen)
    result = validate_records(kept, table.spec, source=SOURCE)
    read.listed += len(records)
    read.duplicates += result.duplicates
    if screened:
        read.rejects.append(pa.Table.from_pylist(screened, schema=REJECTS_SCHEMA))
        for reject in screened:
            if reject["reason"] == Reason.UNDECLARED_FIELD:
                read.drift.setdefault(reject["field"], []).append(str(reject["record_key"]))
    if result.rejects.num_rows:
        read.rejects.append(result.rejects)
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
