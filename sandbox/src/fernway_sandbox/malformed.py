"""Deterministic malformed records: which records are bad (hash of seed + key) and how."""

from __future__ import annotations

import threading

import numpy as np

KINDS = ("null_key", "wrong_type", "duplicate", "negative_amount", "added_field", "missing_field")
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (vectorised, wrapping uint64 arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def malformed_kinds(seed: int, keys: np.ndarray, rate: float) -> np.ndarray:
    """Kind index per record key (-1 = well-formed); stable across runs for the same seed."""
    seed_word = _mix(np.array([seed], dtype=np.uint64))
    h = _mix(keys.astype(np.uint64) * _GOLDEN ^ seed_word)
    u = (h >> np.uint64(11)).astype(np.float64) * 2.0**-53
    kind = (_mix(h) % np.uint64(len(KINDS))).astype(np.int8)
    return np.where(u < rate, kind, np.int8(-1))


def malformed_list(seed: int, n_orders: int, rate: float) -> list[dict[str, str]]:
    """Every order that is served malformed at `rate`, as {"order_id", "kind"}."""
    if rate <= 0:
        return []
    kinds = malformed_kinds(seed, np.arange(n_orders), rate)
    bad = np.flatnonzero(kinds >= 0)
    return [
        {"order_id": f"ord_{i + 1:08d}", "kind": KINDS[k]}
        for i, k in zip(bad.tolist(), kinds[bad].tolist(), strict=True)
    ]


ORDER_FIELDS = ("order_id", "amount", "quantity", "status")


def corrupt(
    record: dict, kind: str, fields: tuple[str, str, str, str] = ORDER_FIELDS
) -> list[dict]:
    """The record(s) to serve instead of `record` for a malformed `kind`; `fields` names the
    record's key, money, count and status fields (an order's by default)."""
    key, amount, count, status = fields
    bad = dict(record)
    if kind == "null_key":
        bad[key] = None
    elif kind == "wrong_type":
        if int(record[key][-1]) % 2:
            bad[amount] = "abc"
        else:
            bad[count] = "two"
    elif kind == "duplicate":
        return [record, bad]
    elif kind == "negative_amount":
        bad[amount] = "-" + record[amount]
    elif kind == "added_field":
        bad["promo_code"] = "FERN10"
    elif kind == "missing_field":
        del bad[status]
    return [bad]


class MalformedLog:
    """Thread-safe record of the records actually served malformed."""

    def __init__(self, key: str = "order_id") -> None:
        self.key = key
        self._lock = threading.Lock()
        self._seen: dict[str, str] = {}

    def add(self, record_id: str, kind: str) -> None:
        """Remember that the record `record_id` was served as `kind`."""
        with self._lock:
            self._seen[record_id] = kind

    def records(self) -> list[dict[str, str]]:
        """Served malformed records sorted by their key."""
        with self._lock:
            items = sorted(self._seen.items())
        return [{self.key: o, "kind": k} for o, k in items]
