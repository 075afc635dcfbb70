"""The warehouse contract of the courier-app loads: dataset `courier_app`, its four tables.

Each table is one endpoint of the courier app (`GET /v1/<table>`), its columns named exactly as
the API serves them: money `decimal(12,2)`, instants `timestamptz`, days `date`. A record is
checked against its `RecordSpec` (fernway_core.validation) before dlt sees it; dbt's staging
models (`couriers_staging`) build on these names. dlt adds `_dlt_load_id` (the load that last
wrote the row, what the reconciliation counts) and keeps its own `_dlt_*` tables beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dagster as dg
import pyarrow as pa

from fernway_core.validation import Field, RecordSpec

DATASET = "courier_app"  # dlt dataset = warehouse schema
SOURCE = "courier_app"  # `source` of this location's rows in raw.rejects
PIPELINE = "couriers_courier_app"
GROUP = "courier_app"
OWNERS = ["team:couriers"]
CURSOR = "updated_at"  # every entity's incremental cursor (the API's `updated_since`)
LOAD_ID = "_dlt_load_id"
MONEY = "decimal(12,2)"


@dataclass(frozen=True)
class Table:
    """One endpoint of the courier app and the table it merges into."""

    spec: RecordSpec
    description: str
    references: tuple[tuple[str, str], ...] = ()  # (column, referenced table), keyed by id

    @property
    def name(self) -> str:
        """The table (and endpoint) name."""
        return self.spec.entity

    @property
    def key(self) -> str:
        """The entity id: the merge's primary key."""
        return self.spec.key

    @property
    def endpoint(self) -> str:
        """Path of the listing under the API base URL."""
        return f"/v1/{self.name}"

    @property
    def qualified(self) -> str:
        """`courier_app.<table>` in the warehouse."""
        return f"{DATASET}.{self.name}"

    @property
    def asset_key(self) -> dg.AssetKey:
        """`["courier_app", "<table>"]`."""
        return dg.AssetKey([DATASET, self.name])


def _ts(name: str, required: bool = True) -> Field:
    return Field(name, "timestamp", required=required)


COURIERS = Table(
    RecordSpec(
        entity="couriers",
        key="courier_id",
        version_field=CURSOR,
        fields=(
            Field("courier_id"),
            Field("name"),
            Field("email"),
            Field("city_id"),
            Field("vehicle"),
            Field("agency", required=False),  # NULL: an independent courier
            Field("rating", "decimal(3,2)", non_negative=True),
            Field("status"),
            _ts("signed_up_at"),
            _ts(CURSOR),
        ),
    ),
    "One row per courier (a freelancer): profile as last changed in the courier app.",
)

SHIFTS = Table(
    RecordSpec(
        entity="shifts",
        key="shift_id",
        version_field=CURSOR,
        fields=(
            Field("shift_id"),
            Field("courier_id"),
            Field("city_id"),
            Field("status"),  # scheduled | in_progress | completed | cancelled
            _ts("scheduled_at"),
            _ts("started_at"),
            _ts("ended_at", required=False),
            _ts("cancelled_at", required=False),
            _ts(CURSOR),
        ),
    ),
    "One row per courier shift, at its latest status (scheduled, started, ended, cancelled).",
    references=(("courier_id", "couriers"),),
)

DELIVERIES = Table(
    RecordSpec(
        entity="deliveries",
        key="delivery_id",
        version_field=CURSOR,
        fields=(
            Field("delivery_id"),
            Field("order_id"),  # the marketplace order (analytics loads it)
            Field("courier_id"),
            Field("shift_id"),
            Field("city_id"),
            Field("status"),  # in_transit | delivered
            _ts("picked_up_at"),
            _ts("delivered_at", required=False),
            Field("distance_m", "bigint", non_negative=True),
            Field("fee", MONEY, non_negative=True),
            Field("tip", MONEY, non_negative=True),
            _ts(CURSOR),
        ),
    ),
    "One row per delivery of a marketplace order; fee and tip in EUR, a late tip updates it.",
    references=(("courier_id", "couriers"), ("shift_id", "shifts")),
)

PAYOUTS = Table(
    RecordSpec(
        entity="payouts",
        key="payout_id",
        version_field=CURSOR,
        fields=(
            Field("payout_id"),
            Field("courier_id"),
            Field("period_start", "date"),
            Field("period_end", "date"),
            Field("deliveries", "bigint", non_negative=True),
            Field("amount", MONEY, non_negative=True),
            Field("currency"),
            Field("status"),  # pending | paid
            _ts("created_at"),
            _ts("paid_at", required=False),
            _ts(CURSOR),
        ),
    ),
    "One row per weekly courier payout (amount in EUR), pending until paid.",
    references=(("courier_id", "couriers"),),
)

TABLES = (COURIERS, SHIFTS, DELIVERIES, PAYOUTS)
BY_NAME = {t.name: t for t in TABLES}
COURIER_APP_ASSETS = dg.AssetSelection.groups(GROUP)  # what jobs select: the four tables

_SIMPLE = {
    "varchar": ("text", pa.string()),
    "bigint": ("bigint", pa.int64()),
    "date": ("date", pa.date32()),
    "timestamp": ("timestamp", pa.timestamp("us", tz="UTC")),
}


def _types(field: Field) -> tuple[dict[str, Any], pa.DataType]:
    """(dlt column hint, Arrow type) of one field."""
    if field.type.startswith("decimal("):
        precision, scale = (int(n) for n in field.type[8:-1].split(","))
        hint = {"data_type": "decimal", "precision": precision, "scale": scale}
        return hint, pa.decimal128(precision, scale)
    data_type, arrow = _SIMPLE[field.type]
    hint = {"data_type": data_type} | ({"timezone": True} if data_type == "timestamp" else {})
    return hint, arrow


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of the rows handed to dlt (declared columns, in order)."""
    return pa.schema(
        [
            pa.field(f.name, _types(f)[1], nullable=not f.required and f.name != table.key)
            for f in table.spec.fields
        ]
    )


def columns_hint(table: Table) -> dict[str, dict[str, Any]]:
    """dlt column hints of a table's declared columns."""
    return {
        f.name: {
            "name": f.name,
            **_types(f)[0],
            "nullable": not f.required and f.name != table.key,
            **({"primary_key": True} if f.name == table.key else {}),
        }
        for f in table.spec.fields
    }
