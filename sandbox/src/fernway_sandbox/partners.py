"""Partner-channel orders (exported to S3 as one Parquet file per day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fernway_sandbox import calendar
from fernway_sandbox.cities import CITIES, city_ids, city_weights
from fernway_sandbox.money import MONEY_TYPE, cents_to_decimal

PARTNERS = np.array(["swiftbite", "cornerbox", "parcelpal"])
PARTNER_SHARE = np.array([0.5, 0.3, 0.2])
PARTNER_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("partner", pa.string()),
        ("city_id", pa.string()),
        ("ordered_at", pa.timestamp("us", tz="UTC")),
        ("items", pa.int32()),
        ("amount", MONEY_TYPE),
    ]
)


def id_strings(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Vectorised ids like pto_00000001 from integer numbers (Arrow string array)."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def labels(values: np.ndarray | list[str] | tuple[str, ...], index: np.ndarray) -> pa.Array:
    """Strings picked from `values` by integer `index` (vectorised, Arrow string array)."""
    return pc.take(pa.array(list(values), pa.string()), pa.array(index))


@dataclass(frozen=True)
class PartnerOrders:
    """Partner order columns sorted by ordered_at; row i has id pto_{first_id + i:08d}."""

    first_id: int
    partner: np.ndarray  # index into PARTNERS
    city: np.ndarray  # index into CITIES
    ordered_at: np.ndarray  # epoch seconds
    items: np.ndarray  # int32
    amount: np.ndarray  # cents

    def __len__(self) -> int:
        return len(self.ordered_at)

    def table(self, lo: int = 0, hi: int | None = None) -> pa.Table:
        """Rows [lo, hi) as an Arrow table in the export schema."""
        sl = slice(lo, len(self) if hi is None else hi)
        numbers = self.first_id + np.arange(len(self))[sl]
        columns = [
            id_strings("pto_", numbers, 8),
            labels(PARTNERS, self.partner[sl]),
            labels(city_ids(), self.city[sl]),
            pa.array(self.ordered_at[sl] * 1_000_000, pa.int64()).cast(PARTNER_SCHEMA[3].type),
            pa.array(self.items[sl], pa.int32()),
            cents_to_decimal(self.amount[sl]),
        ]
        return pa.Table.from_arrays(columns, schema=PARTNER_SCHEMA)

    def day_bounds(self, day: dt.date) -> tuple[int, int]:
        """Row range [lo, hi) of the orders placed on `day` (UTC)."""
        start = calendar.epoch_s(day)
        lo, hi = np.searchsorted(self.ordered_at, [start, start + calendar.DAY_S])
        return int(lo), int(hi)


def make_partner_orders(
    rng: np.random.Generator, start: dt.date, counts: np.ndarray, first_id: int = 1
) -> PartnerOrders:
    """`counts[d]` partner orders on day start+d, each kept inside its UTC day."""
    days = len(counts)
    day = np.repeat(np.arange(days, dtype=np.int64), counts)
    n = len(day)
    city = rng.choice(len(CITIES), size=n, p=city_weights()).astype(np.int8)
    offsets = calendar.utc_offsets(start, days)[city, day]
    in_day = np.mod(calendar.local_time_of_day(rng, n) - offsets, calendar.DAY_S)
    ordered_at = calendar.epoch_s(start) + day * calendar.DAY_S + in_day
    items = np.minimum(1 + rng.poisson(1.5, size=n), 12).astype(np.int32)
    per_item = rng.lognormal(np.log(900.0), 0.45, size=n)
    amount = np.round(per_item * items).astype(np.int64) + rng.integers(199, 400, size=n)
    order = np.argsort(ordered_at, kind="stable")
    return PartnerOrders(
        first_id=first_id,
        partner=rng.choice(len(PARTNERS), size=n, p=PARTNER_SHARE)[order].astype(np.int8),
        city=city[order],
        ordered_at=ordered_at[order],
        items=items[order],
        amount=amount[order],
    )


def partner_count(scale: int) -> int:
    """About 10% of the API order volume."""
    return max(1, round(scale * 0.10))
