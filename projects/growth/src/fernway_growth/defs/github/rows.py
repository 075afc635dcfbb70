"""GitHub JSON items -> typed Arrow batches for dlt, bad records -> rejects, new fields -> drift.

Column by column (no row loop builds the output): each declared column is read from its JSON
path, cast to its Arrow type, and a record that breaks a rule (a required field missing, null,
or of the wrong type) becomes a `raw.rejects` row with a stable reason code. A source field that
is neither declared nor listed as ignored is passed on as an extra text column, so dlt's frozen
schema contract fails the load instead of the table silently widening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fernway_core.rejects import REJECTS_SCHEMA, Reason
from fernway_growth.defs.github.contracts import SOURCE, Table

ARROW_TYPES = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
GITHUB_TIME = "%Y-%m-%dT%H:%M:%SZ"
_MISSING = object()


@dataclass(frozen=True)
class Batch:
    """One batch of a table: valid typed rows, rejects, and undeclared source fields seen."""

    rows: pa.Table
    rejects: pa.Table
    drift: frozenset[str]
    rejected: frozenset[int] = frozenset()  # positions in the input of the rejected records


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table's declared columns."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.data_type], nullable=c.nullable) for c in table.columns]
    )


def pick(items: Sequence[dict], path: tuple[str, ...]) -> list[Any]:
    """The value at `path` of every item; `_MISSING` when a level is absent."""
    if len(path) == 1:
        (key,) = path
        return [item.get(key, _MISSING) for item in items]
    outer, inner = path
    values = []
    for item in items:
        nested = item.get(outer, _MISSING)
        values.append(nested.get(inner, _MISSING) if isinstance(nested, dict) else _MISSING)
    return values


def _typed(values: list[Any], data_type: str) -> tuple[pa.Array, pa.Array]:
    """(typed array, wrong-type mask): values that do not convert become null and are flagged."""
    target = ARROW_TYPES[data_type]
    if data_type == "timestamp":
        raw = pa.array([v if isinstance(v, str) else None for v in values], pa.string())
        parsed = pc.strptime(raw, format=GITHUB_TIME, unit="us", error_is_null=True)
        typed = pc.assume_timezone(parsed, "UTC")
        wrong = [v is not None and not isinstance(v, str) for v in values]
        return typed, pc.or_(pa.array(wrong, pa.bool_()), pc.and_(raw.is_valid(), typed.is_null()))
    kind: type | tuple[type, ...] = {"text": str, "bigint": int, "bool": bool}[data_type]
    ok = [
        v is None or (isinstance(v, kind) and (data_type != "bigint" or not isinstance(v, bool)))
        for v in values
    ]
    clean = [v if good else None for v, good in zip(values, ok, strict=True)]
    return pa.array(clean, target), pc.invert(pa.array(ok, pa.bool_()))


def to_batch(
    table: Table,
    paths: dict[str, tuple[str, ...]],
    items: Sequence[dict],
    constants: dict[str, Any],
) -> Batch:
    """Declared columns of `items` (JSON paths in `paths`, values in `constants`) as Arrow."""
    arrays: dict[str, pa.Array] = {}
    rules: list[tuple[pa.Array, Reason, str, list[Any] | None]] = []
    n = len(items)
    for column in table.columns:
        target = ARROW_TYPES[column.data_type]
        if column.name in constants:
            arrays[column.name] = pa.array([constants[column.name]] * n, target)
            continue
        values = pick(items, paths[column.name])
        missing = pa.array([v is _MISSING for v in values], pa.bool_())
        values = [None if v is _MISSING else v for v in values]
        typed, wrong = _typed(values, column.data_type)
        arrays[column.name] = typed
        if not column.nullable:
            null = Reason.NULL_KEY if column.name in table.primary_key else Reason.NULL_FIELD
            rules.append((missing, Reason.MISSING_FIELD, column.name, None))
            # null as sent (a value of the wrong type is also null once typed: that is wrong_type)
            present = pc.and_(pc.invert(missing), pc.invert(wrong))
            rules.append((pc.and_(present, typed.is_null()), null, column.name, None))
        rules.append((wrong, Reason.WRONG_TYPE, column.name, values))
    data = pa.table(arrays, schema=arrow_schema(table))
    bad = pa.array([False] * n, pa.bool_())
    for mask, *_ in rules:
        bad = pc.or_(bad, mask)
    drift = _undeclared(table, paths, items)
    for name in sorted(drift):
        extra = name.replace(".", "__")
        path = tuple(name.split("."))
        data = data.append_column(extra, pa.array([_text(v) for v in pick(items, path)]))
    if not pc.any(bad).as_py():
        return Batch(data, REJECTS_SCHEMA.empty_table(), frozenset(drift))
    rejects = _rejects(table, items, data, rules, bad)
    rejected = frozenset(pc.indices_nonzero(bad).to_pylist())
    return Batch(data.filter(pc.invert(bad)), rejects, frozenset(drift), rejected)


def _text(value: Any) -> str | None:
    if value is _MISSING or value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _undeclared(table: Table, paths: dict[str, tuple[str, ...]], items: Sequence[dict]) -> set[str]:
    """Source fields (`a` or `a.b` one level down) neither loaded nor listed as ignored."""
    known = {".".join(p) for p in paths.values()} | set(table.ignored)
    parents = {p[0] for p in paths.values() if len(p) > 1}
    seen: set[str] = set()
    for item in items:
        seen.update(item.keys())
    for parent in parents:
        for item in items:
            nested = item.get(parent)
            if isinstance(nested, dict):
                seen.update(f"{parent}.{key}" for key in nested)
    return {name for name in seen - parents if name not in known}


def _rejects(
    table: Table,
    items: Sequence[dict],
    data: pa.Table,
    rules: list[tuple[pa.Array, Reason, str, list[Any] | None]],
    bad: pa.Array,
) -> pa.Table:
    """One reject per bad record, naming the first rule (in column order) it breaks."""
    masks = [mask.to_pylist() for mask, *_ in rules]
    keys = [data[name].to_pylist() for name in table.primary_key]
    rows = []
    for i in pc.indices_nonzero(bad).to_pylist():
        rule = next(r for r, mask in enumerate(masks) if mask[i])
        _, reason, field, values = rules[rule]
        value = None if values is None else _text(values[i])
        record_key = ":".join("" if k[i] is None else str(k[i]) for k in keys)
        rows.append(
            {
                "source": SOURCE,
                "entity": table.name,
                "record_key": record_key,
                "reason": str(reason),
                "field": field,
                "value": value,
                "payload": orjson.dumps(items[i]).decode(),
                "partition_key": "snapshot",
            }
        )
    return pa.Table.from_pylist(rows, schema=REJECTS_SCHEMA)
