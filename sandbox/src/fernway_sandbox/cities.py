"""The fixed list of 20 real cities the marketplace operates in."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class City(NamedTuple):
    """One city: id, display name, ISO country, coordinates, IANA timezone, relative demand."""

    city_id: str
    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    weight: float


CITIES: tuple[City, ...] = (
    City("lis", "Lisbon", "PT", 38.7223, -9.1393, "Europe/Lisbon", 1.0),
    City("opo", "Porto", "PT", 41.1579, -8.6291, "Europe/Lisbon", 0.5),
    City("mad", "Madrid", "ES", 40.4168, -3.7038, "Europe/Madrid", 1.6),
    City("bcn", "Barcelona", "ES", 41.3874, 2.1686, "Europe/Madrid", 1.3),
    City("par", "Paris", "FR", 48.8566, 2.3522, "Europe/Paris", 2.0),
    City("lys", "Lyon", "FR", 45.7640, 4.8357, "Europe/Paris", 0.6),
    City("lon", "London", "GB", 51.5072, -0.1276, "Europe/London", 2.4),
    City("man", "Manchester", "GB", 53.4808, -2.2426, "Europe/London", 0.7),
    City("dub", "Dublin", "IE", 53.3498, -6.2603, "Europe/Dublin", 0.6),
    City("ams", "Amsterdam", "NL", 52.3676, 4.9041, "Europe/Amsterdam", 0.9),
    City("ber", "Berlin", "DE", 52.5200, 13.4050, "Europe/Berlin", 1.5),
    City("muc", "Munich", "DE", 48.1351, 11.5820, "Europe/Berlin", 0.8),
    City("mil", "Milan", "IT", 45.4642, 9.1900, "Europe/Rome", 1.0),
    City("rom", "Rome", "IT", 41.9028, 12.4964, "Europe/Rome", 1.0),
    City("vie", "Vienna", "AT", 48.2082, 16.3738, "Europe/Vienna", 0.7),
    City("waw", "Warsaw", "PL", 52.2297, 21.0122, "Europe/Warsaw", 0.8),
    City("prg", "Prague", "CZ", 50.0755, 14.4378, "Europe/Prague", 0.5),
    City("sto", "Stockholm", "SE", 59.3293, 18.0686, "Europe/Stockholm", 0.6),
    City("nyc", "New York", "US", 40.7128, -74.0060, "America/New_York", 2.2),
    City("tor", "Toronto", "CA", 43.6532, -79.3832, "America/Toronto", 1.0),
)


def city_ids() -> np.ndarray:
    """City ids as a numpy string array, in CITIES order."""
    return np.array([c.city_id for c in CITIES])


def city_weights() -> np.ndarray:
    """Relative demand per city, normalised to sum to 1."""
    w = np.array([c.weight for c in CITIES], dtype=np.float64)
    return w / w.sum()


def city_records() -> list[dict]:
    """Cities as API records (without the internal demand weight)."""
    return [{k: v for k, v in c._asdict().items() if k != "weight"} for c in CITIES]
