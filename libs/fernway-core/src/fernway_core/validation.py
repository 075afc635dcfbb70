"""Validate raw API records in DuckDB: typed rows out, every bad record kept with a reason code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from fernway_core.rejects import REJECTS_SCHEMA, Reason, reject_sql

_ALLOWED_TYPE = re.compile(
    r"^(varchar|integer|bigint|double|boolean|date|timestamp|decimal\(\d+,\d+\))$"
)


@dataclass(frozen=True)
class Field:
    """One expected field of a record: its SQL type and what makes it invalid."""

    name: str
    type: str = "varchar"
    required: bool = True
    non_negative: bool = False

    def __post_init__(self) -> None:
        if not _ALLOWED_TYPE.match(self.type):
            raise ValueError(f"unsupported field type {self.type!r} for {self.name!r}")


@dataclass(frozen=True)
class RecordSpec:
    """The contract of one entity: key, fields, and the version column used to collapse dupes."""

    entity: str
    key: str
    fields: tuple[Field, ...]
    version_field: str | None = None
    partition_field: str | None = None
    partition_format: str = "%Y-%m-%d"  # strftime of partition_field: the partition key


@dataclass
class Validated:
    """Outcome of validation: typed valid rows, rejects (`REJECTS_SCHEMA`), what was collapsed."""

    valid: pa.Table
    rejects: pa.Table
    received: int
    duplicates: int
    drift_fields: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        """Counters for Dagster asset metadata."""
        return {
            "records_received": self.received,
            "records_valid": self.valid.num_rows,
            "records_rejected": self.rejects.num_rows,
            "duplicates_collapsed": self.duplicates,
            "schema_drift_fields": ", ".join(self.drift_fields) or "none",
        }


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _raw(name: str) -> str:
    """The field as text (NULL when missing or JSON null), from the once-parsed struct."""
    return f"s.{_q(name)}"


def _reject_sql(spec: RecordSpec) -> str:
    """A CASE naming the first rule a record breaks ({reason, field, value}), NULL when valid."""
    whens = []
    for f in spec.fields:
        raw = _raw(f.name)
        if f.required or f.name == spec.key:
            null = Reason.NULL_KEY if f.name == spec.key else Reason.NULL_FIELD
            whens.append(
                f"when not list_contains(keys, {_literal(f.name)}) "
                f"then {reject_sql(Reason.MISSING_FIELD, f.name)}"
            )
            whens.append(f"when {raw} is null then {reject_sql(null, f.name)}")
        whens.append(
            f"when {raw} is not null and {_typed(f)} is null "
            f"then {reject_sql(Reason.WRONG_TYPE, f.name, raw)}"
        )
        if f.non_negative:
            whens.append(
                f"when {_typed(f)} < 0 then {reject_sql(Reason.NEGATIVE_AMOUNT, f.name, raw)}"
            )
    return "case " + " ".join(whens) + " else null end"


def _typed(f: Field) -> str:
    raw = _raw(f.name)
    if f.type == "timestamp":
        return f"timezone('UTC', try_cast({raw} as timestamptz))"
    return f"try_cast({raw} as {f.type})"


def _parse_sql(spec: RecordSpec) -> str:
    """Parse each record once: the raw JSON, its keys, and every field as text in a struct."""
    struct = orjson.dumps({f.name: "VARCHAR" for f in spec.fields}).decode()
    return (
        "create temp table src as select j, json_keys(j) as keys, "
        f"from_json(j, {_literal(struct)}) as s "
        "from (select unnest(from_json(?::json, '[\"json\"]')) as j)"
    )


def validate_records(records: list[dict], spec: RecordSpec, source: str) -> Validated:
    """Type-check records in one DuckDB pass; invalid ones become rejects, dupes collapse."""
    con = duckdb.connect()
    try:
        con.execute(_parse_sql(spec), [orjson.dumps(records).decode()])
        con.execute(
            f"create temp table checked as select j, s, {_reject_sql(spec)} as reject from src"
        )
        key = _raw(spec.key)
        part = (
            f"strftime({_typed(_field(spec, spec.partition_field))}, "
            f"{_literal(spec.partition_format)})"
            if spec.partition_field
            else "null"
        )
        rejects = con.sql(
            f"select ? as source, ? as entity, {key} as record_key, reject.reason, "
            "reject.field, reject.value, "
            f"cast(j as varchar) as payload, {part} as partition_key "
            "from checked where reject is not null",
            params=[source, spec.entity],
        ).to_arrow_table()
        columns = ", ".join(f"{_typed(f)} as {_q(f.name)}" for f in spec.fields)
        order = _typed(_field(spec, spec.version_field)) + " desc" if spec.version_field else "1"
        valid = con.sql(
            f"select {columns} from checked where reject is null "
            f"qualify row_number() over (partition by {key} order by {order}) = 1"
        ).to_arrow_table()
        (valid_count,) = con.sql("select count(*) from checked where reject is null").fetchall()[0]
        known = [f.name for f in spec.fields]
        drift = con.sql("select distinct unnest(keys) as k from src order by k").fetchall()
    finally:
        con.close()
    return Validated(
        valid=valid,
        rejects=rejects.cast(REJECTS_SCHEMA),
        received=len(records),
        duplicates=valid_count - valid.num_rows,
        drift_fields=[k for (k,) in drift if k not in known],
    )


def _field(spec: RecordSpec, name: str | None) -> Field:
    return next(f for f in spec.fields if f.name == name)
