"""Exact money: integer cents <-> decimal strings and Arrow decimal128(12, 2)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MONEY_TYPE = pa.decimal128(12, 2)


def cents_str(cents: int) -> str:
    """Format integer cents as a 2-decimal string: 1250 -> '12.50', -5 -> '-0.05'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def cents_strs(cents: np.ndarray) -> list[str]:
    """Format an array of cents (one page of records) as decimal strings."""
    return [cents_str(c) for c in cents.tolist()]


def cents_to_decimal(cents: np.ndarray) -> pa.Array:
    """Integer cents -> decimal128(12, 2) without floats (the unscaled value IS the cents)."""
    low = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(low), 2), dtype=np.int64)
    words[:, 0] = low
    words[:, 1] = low >> 63
    return pa.Array.from_buffers(MONEY_TYPE, len(low), [None, pa.py_buffer(words.tobytes())])


def decimal_to_cents(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """decimal128(p, 2) -> integer cents (exact; inverse of cents_to_decimal)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    parts = [
        np.frombuffer(c.buffers()[1], dtype=np.int64)[2 * c.offset : 2 * (c.offset + len(c)) : 2]
        for c in chunks
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
