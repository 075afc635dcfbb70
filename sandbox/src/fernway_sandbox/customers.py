"""Customers: home city, heavy-tailed activity, names/emails, signup and update times."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fernway_sandbox.calendar import DAY_S
from fernway_sandbox.cities import CITIES, city_weights

_FIRST_NAMES = (
    "Ana Joao Maria Pedro Ines Tiago Lucia Pablo Carmen Hugo Lea Louis Emma Oliver "
    "Amelia Jack Aoife Sean Sanne Daan Lena Felix Giulia Marco Sofia Jakub Zofia Tereza "
    "Elsa Liam Noah Ava Mia Ethan Chloe Lucas Nora Omar Yara Ivan"
)
_LAST_NAMES = (
    "Silva Santos Costa Garcia Lopez Martin Bernard Dubois Smith Jones Taylor Brown "
    "Murphy Kelly deVries Bakker Muller Schmidt Rossi Russo Ricci Nowak Kowalski Novak "
    "Svoboda Andersson Johansson Miller Davis Wilson Moore Lee Clark Walker Hall Young "
    "King Wright Green Baker"
)
FIRST = np.array(_FIRST_NAMES.split())
LAST = np.array(_LAST_NAMES.split())
ACTIVE_SHARE = 0.35  # customers whose profile is updated during the window


@dataclass(frozen=True)
class Customers:
    """Customer columns; customer i has id cus_{i+1:06d}."""

    name: np.ndarray
    email: np.ndarray
    city: np.ndarray  # index into CITIES
    signed_up_at: np.ndarray  # epoch seconds
    updated_at: np.ndarray  # epoch seconds

    def __len__(self) -> int:
        return len(self.city)

    def ids(self, index: np.ndarray | None = None) -> list[str]:
        """Customer ids for the given positions (all when None)."""
        idx = np.arange(len(self)) if index is None else index
        return [f"cus_{i + 1:06d}" for i in idx.tolist()]


def customer_count(scale: int) -> int:
    """About 9 customers per 100 orders (repeat customers), at least 20."""
    return max(20, round(scale * 0.09))


def customer_base(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Home city per customer and a heavy-tailed ordering propensity (sums to 1)."""
    city = rng.choice(len(CITIES), size=n, p=city_weights()).astype(np.int8)
    propensity = np.minimum(rng.lognormal(0.0, 1.1, size=n), 40.0)
    return city, propensity / propensity.sum()


def make_customers(
    rng: np.random.Generator, city: np.ndarray, first_order: np.ndarray, start_s: int, end_s: int
) -> Customers:
    """Finish customers given their first order time (-1 when they never ordered)."""
    n = len(city)
    first, last = rng.choice(FIRST, size=n), rng.choice(LAST, size=n)
    name = np.char.add(np.char.add(first, " "), last)
    local = np.char.lower(np.char.add(np.char.add(first, "."), last))
    email = np.char.add(np.char.add(local, np.arange(1, n + 1).astype(str)), "@example.com")
    lead = (rng.exponential(90.0, size=n) * DAY_S).astype(np.int64) + rng.integers(60, 3600, n)
    never = rng.integers(start_s - 365 * DAY_S, end_s - 1, size=n)
    signed_up = np.where(first_order >= 0, first_order - lead, never)
    lo = np.maximum(signed_up, start_s)
    touched = (rng.random(n) < ACTIVE_SHARE) & (lo < end_s - 1)
    when = lo + (rng.random(n) * np.maximum(end_s - 1 - lo, 0)).astype(np.int64)
    return Customers(
        name=name,
        email=email,
        city=city,
        signed_up_at=signed_up,
        updated_at=np.where(touched, when, signed_up),
    )
