"""The warehouse as an Airbyte destination: typed tables merged on the primary key, plus state.

Records of one stream arrive as JSON; DuckDB (in memory) turns a batch of them into an Arrow
table typed from the stream's JSON schema (objects and arrays as JSON text, `date-time` strings as
timestamptz), keeps the raw record in `_airbyte_data`, moves records whose key is missing or whose
values do not cast to `raw.rejects`, and keeps the last version of each key. The batch replaces
the rows with the same keys in `airbyte_github.<stream>` in the same transaction that stores the
stream's STATE message in `airbyte_github._airbyte_streams`, so a state is never ahead of the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from fernway_core.rejects import REJECTS_TABLE, Reason, reject_sql, stamp
from fernway_core.sql import quote_ident
from fernway_core.warehouse import Replacement, Warehouse

SCHEMA = "airbyte_github"
STREAMS_TABLE = f"{SCHEMA}._airbyte_streams"
SOURCE = "airbyte_github"
KEYLESS = "sha256:"  # record_key of a reject without a usable key: the payload's hash


def column_type(prop: Mapping[str, Any]) -> str:
    """The DuckDB type a JSON-schema property is stored as."""
    kinds = prop.get("type", [])
    kinds = [k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null"]
    if len(kinds) != 1:
        return "JSON"
    kind = kinds[0]
    if kind == "string":
        return "TIMESTAMPTZ" if prop.get("format") == "date-time" else "VARCHAR"
    return {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}.get(kind, "JSON")


def is_plain(name: str) -> bool:
    """Whether a property name is usable as a column name as it is."""
    try:
        quote_ident(name)
    except ValueError:
        return False
    return "." not in name


@dataclass
class Batch:
    """Records of one stream since its last flush: (raw JSON, emitted_at in ms)."""

    data: list[str] = field(default_factory=list)
    emitted_at: list[int] = field(default_factory=list)

    def add(self, record: Mapping[str, Any]) -> None:
        """Buffer one RECORD message's `record`."""
        self.data.append(orjson.dumps(record["data"]).decode())
        self.emitted_at.append(int(record.get("emitted_at") or 0))

    def __len__(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Typed:
    """A batch as the warehouse stores it: good rows, rejects, and every key it carried."""

    rows: pa.Table
    rejects: pa.Table
    keys: list[Any]
    reject_keys: list[str]


def typed(batch: Batch, stream: Mapping[str, Any]) -> Typed:
    """Type a batch from the stream's JSON schema; broken records become rejects (SQL only)."""
    key = primary_key(stream)
    props = {n: p for n, p in stream["json_schema"].get("properties", {}).items() if is_plain(n)}
    if key not in props:
        raise ValueError(f"stream {stream['name']}: primary key {key!r} is not in its schema")
    params: list[Any] = []

    def raw(name: str) -> str:
        params.append(f'$."{name}"')
        return "json_extract_string(data, ?)"

    def value(name: str, kind: str) -> str:
        if kind == "JSON":
            params.append(f'$."{name}"')
            return "nullif(cast(json_extract(data, ?) as varchar), 'null')"
        return raw(name) if kind == "VARCHAR" else f"try_cast({raw(name)} as {kind})"

    kinds = {name: column_type(prop) for name, prop in props.items()}
    # `?` placeholders are bound in the order the fragments are built: columns, key, checks
    columns = [f"{value(n, k)} as {quote_ident(n)}" for n, k in kinds.items()]
    record_key = f"coalesce({raw(key)}, '{KEYLESS}' || sha256(data))"
    checks = [
        f"case when {raw(key)} is null then {reject_sql(Reason.NULL_KEY, key)} end",
        *(
            f"case when {raw(n)} is not null and {value(n, k)} is null then "
            f"{reject_sql(Reason.WRONG_TYPE, n, raw(n))} end"
            for n, k in kinds.items()
            if k not in ("VARCHAR", "JSON")
        ),
    ]
    source = pa.table(
        {
            "_seq": pa.array(range(len(batch)), pa.int64()),
            "data": pa.array(batch.data, pa.string()),
            "emitted_at": pa.array(batch.emitted_at, pa.int64()),
        }
    )
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("batch", source)
        con.execute(
            "create temp table checked as select *, "
            f"{', '.join(columns)}, {record_key} as _record_key, "
            f"list_filter([{', '.join(checks)}], lambda x: x is not null) as _broken from batch",
            params,
        )
        rows = con.sql(
            f"select {', '.join(quote_ident(n) for n in kinds)}, "
            "make_timestamp(emitted_at * 1000) at time zone 'UTC' as _airbyte_extracted_at, "
            "data as _airbyte_data from checked where len(_broken) = 0 "
            f"qualify row_number() over (partition by {quote_ident(key)} order by _seq desc) = 1"
        ).to_arrow_table()
        rejects = con.sql(
            "select ? as source, ? as entity, _record_key as record_key, "
            "b.reason as reason, b.field as field, b.value as value, data as payload, "
            "cast(null as varchar) as partition_key "
            "from (select *, unnest(_broken) as b from checked) order by _seq",
            params=[SOURCE, stream["name"]],
        ).to_arrow_table()
        keys = con.sql(f"select distinct {quote_ident(key)} as k from checked").fetchall()
        reject_keys = con.sql("select distinct _record_key from checked").fetchall()
    finally:
        con.close()
    return Typed(
        rows,
        rejects,
        [k for (k,) in keys if k is not None],
        [k for (k,) in reject_keys],
    )


def primary_key(stream: Mapping[str, Any]) -> str:
    """The stream's single-column primary key."""
    keys = stream.get("source_defined_primary_key") or []
    if len(keys) != 1 or len(keys[0]) != 1:
        raise ValueError(f"stream {stream['name']}: only single-column primary keys are merged")
    return str(keys[0][0])


def write(
    warehouse: Warehouse,
    stream: Mapping[str, Any],
    batch: Batch,
    state: Mapping[str, Any] | None,
    now: dt.datetime,
) -> tuple[int, int]:
    """Merge a batch and store the stream's state in one transaction; (rows, rejects) written."""
    name, key = stream["name"], primary_key(stream)
    replacements = []
    result = typed(batch, stream) if len(batch) else None
    if result is not None:
        replacements.append(
            Replacement(
                f"{SCHEMA}.{name}",
                result.rows,
                # keys compared as text: one typed array parameter for DuckDB and Postgres alike
                f"cast({quote_ident(key)} as text) in (select unnest(cast(? as text[])))",
                [[str(k) for k in result.keys] or [None]],
            )
        )
        loaded_at = now.astimezone(dt.UTC).replace(tzinfo=None)
        replacements.append(
            Replacement(
                REJECTS_TABLE,
                stamp(result.rejects, loaded_at),
                "source = ? and entity = ? and record_key in (select unnest(cast(? as text[])))",
                [SOURCE, name, result.reject_keys],
            )
        )
    if state is not None:
        row = {
            "stream": [name],
            "catalog": [orjson.dumps(stream).decode()],
            "state": [orjson.dumps(state).decode()],
            "updated_at": [now],
        }
        replacements.append(
            Replacement(
                STREAMS_TABLE,
                pa.table(row, schema=STREAMS_SCHEMA),
                "stream = ?",
                [name],
            )
        )
    if replacements:
        warehouse.replace_many(replacements)
    if result is None:
        return 0, 0
    return result.rows.num_rows, result.rejects.num_rows


STREAMS_SCHEMA = pa.schema(
    [
        ("stream", pa.string()),
        ("catalog", pa.string()),  # the AirbyteStream discover returned
        ("state", pa.string()),  # the last STATE message, as the next read's --state takes it
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)


def saved(warehouse: Warehouse, streams: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per stream: its stored `catalog` entry and last `state` message (nothing before a sync)."""
    if not warehouse.table_exists(STREAMS_TABLE):
        return {}
    rows = warehouse.query_arrow(
        f"select stream, catalog, state from {quote_ident(STREAMS_TABLE)} "
        "where stream in (select unnest(cast(? as text[])))",
        [list(streams)],
    ).to_pylist()
    return {
        r["stream"]: {"catalog": orjson.loads(r["catalog"]), "state": orjson.loads(r["state"])}
        for r in rows
    }
