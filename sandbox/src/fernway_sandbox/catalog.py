"""The product catalogue: ~300 products in categories with realistic prices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# category: (number of products, median price in EUR, popularity, item nouns)
CATEGORIES: dict[str, tuple[int, float, float, tuple[str, ...]]] = {
    "groceries": (60, 6.0, 1.6, ("Avocados", "Olive Oil", "Pasta", "Coffee Beans", "Cheese")),
    "restaurant": (70, 14.0, 2.2, ("Burger", "Ramen", "Pizza", "Poke Bowl", "Curry", "Tacos")),
    "bakery": (25, 4.0, 0.8, ("Sourdough", "Croissants", "Pastel de Nata", "Bagels")),
    "drinks": (30, 5.0, 0.9, ("Lemonade", "Cold Brew", "Kombucha", "Sparkling Water")),
    "pharmacy": (30, 9.0, 0.5, ("Sunscreen", "Vitamins", "Plasters", "Toothpaste")),
    "household": (25, 8.0, 0.5, ("Detergent", "Paper Towels", "Candles", "Sponges")),
    "pet_supplies": (25, 18.0, 0.4, ("Dog Food", "Cat Litter", "Chew Toy", "Bird Seed")),
    "flowers": (15, 30.0, 0.2, ("Roses", "Tulips", "Sunflowers", "Orchid")),
    "electronics": (20, 45.0, 0.2, ("Earbuds", "Charger", "Power Bank", "Smart Bulb")),
}
ADJECTIVES = np.array(["Classic", "Organic", "Family", "Premium", "Fresh", "Spicy", "Mini", "Big"])


@dataclass(frozen=True)
class Products:
    """Product columns; product i has id prd_{i+1:04d}."""

    name: np.ndarray
    category: np.ndarray
    unit_price: np.ndarray  # cents, int64
    popularity: np.ndarray  # sampling probability, sums to 1

    def __len__(self) -> int:
        return len(self.unit_price)

    def ids(self, index: np.ndarray | None = None) -> list[str]:
        """Product ids for the given positions (all when None)."""
        idx = np.arange(len(self)) if index is None else index
        return [f"prd_{i + 1:04d}" for i in idx.tolist()]


def make_products(rng: np.random.Generator) -> Products:
    """Generate the catalogue (category counts are fixed; names, prices, popularity seeded)."""
    counts = np.array([spec[0] for spec in CATEGORIES.values()])
    cat = np.repeat(np.arange(len(CATEGORIES)), counts)
    specs = list(CATEGORIES.values())
    median = np.array([s[1] for s in specs])[cat]
    price = rng.lognormal(np.log(median), 0.35)
    cents = np.maximum(
        np.round(price * 10.0).astype(np.int64) * 10 - rng.integers(0, 2, cat.size), 99
    )
    nouns = [np.array(s[3]) for s in specs]
    noun = np.concatenate([rng.choice(n, size=k) for n, k in zip(nouns, counts, strict=True)])
    name = np.char.add(np.char.add(rng.choice(ADJECTIVES, size=cat.size), " "), noun)
    zipf = 1.0 / np.arange(1, cat.size + 1) ** 0.8
    pop = rng.permutation(zipf) * np.array([s[2] for s in specs])[cat]
    return Products(
        name=name,
        category=np.array(list(CATEGORIES))[cat],
        unit_price=cents,
        popularity=pop / pop.sum(),
    )
