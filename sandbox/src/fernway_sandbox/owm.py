"""OpenWeatherMap vocabulary: condition codes, icons, units, sun times and the place blocks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from fernway_sandbox.cities import CITIES
from fernway_sandbox.climate import Hourly

# code -> (main, description), as documented by OpenWeatherMap.
CONDITIONS: dict[int, tuple[str, str]] = {
    200: ("Thunderstorm", "thunderstorm with light rain"),
    201: ("Thunderstorm", "thunderstorm with rain"),
    202: ("Thunderstorm", "thunderstorm with heavy rain"),
    300: ("Drizzle", "light intensity drizzle"),
    500: ("Rain", "light rain"),
    501: ("Rain", "moderate rain"),
    502: ("Rain", "heavy intensity rain"),
    503: ("Rain", "very heavy rain"),
    600: ("Snow", "light snow"),
    601: ("Snow", "snow"),
    602: ("Snow", "heavy snow"),
    701: ("Mist", "mist"),
    741: ("Fog", "fog"),
    800: ("Clear", "clear sky"),
    801: ("Clouds", "few clouds"),
    802: ("Clouds", "scattered clouds"),
    803: ("Clouds", "broken clouds"),
    804: ("Clouds", "overcast clouds"),
}
ICONS = {2: "11", 3: "09", 5: "10", 6: "13", 7: "50"}
SKY_ICONS = {800: "01", 801: "02", 802: "03", 803: "04", 804: "04"}
# OpenWeatherMap (GeoNames) city ids of the marketplace cities.
CITY_IDS = {
    "lis": 2267057,
    "opo": 2735943,
    "mad": 3117735,
    "bcn": 3128760,
    "par": 2988507,
    "lys": 2996944,
    "lon": 2643743,
    "man": 2643123,
    "dub": 2964574,
    "ams": 2759794,
    "ber": 2950159,
    "muc": 2867714,
    "mil": 3173435,
    "rom": 3169070,
    "vie": 2761369,
    "waw": 756135,
    "prg": 3067696,
    "sto": 2673730,
    "nyc": 5128581,
    "tor": 6167865,
}
UNITS = ("standard", "metric", "imperial")


def condition_codes(rain: np.ndarray, snow: np.ndarray, w: Hourly) -> np.ndarray:
    """Condition code per hour from precipitation (mm/h), convection, humidity, wind, clouds."""
    fog = (w.humidity >= 95) & (w.wind_speed < 2.5)
    return np.select(
        [
            snow > 0,
            (rain > 0) & w.convective,
            (rain > 0) & (rain < 0.2),
            rain > 0,
            fog,
            w.clouds <= 10,
        ],
        [
            np.select([snow < 0.5, snow < 2.5], [600, 601], 602),
            np.select([rain < 2.5, rain < 7.6], [200, 201], 202),
            np.full(len(rain), 300),
            np.select([rain < 2.5, rain < 7.6, rain < 50], [500, 501, 502], 503),
            np.where(w.humidity >= 97, 741, 701),
            np.full(len(rain), 800),
        ],
        np.select([w.clouds <= 25, w.clouds <= 50, w.clouds <= 84], [801, 802, 803], 804),
    )


def weather_block(code: int, daytime: bool) -> dict:
    """One entry of the `weather` list."""
    main, description = CONDITIONS[code]
    icon = SKY_ICONS.get(code) or ICONS[code // 100]
    return {"id": code, "main": main, "description": description, "icon": icon + "dn"[not daytime]}


def visibility(code: int) -> int:
    """Visibility in metres (OpenWeatherMap caps it at 10 km)."""
    return {741: 400, 701: 2500, 202: 3000, 502: 4000, 503: 2000, 602: 1000}.get(code, 10000)


def temperature(celsius: np.ndarray, units: str) -> np.ndarray:
    """°C in the requested units (Kelvin for `standard`), rounded like OpenWeatherMap."""
    if units == "metric":
        return np.round(celsius, 2)
    if units == "imperial":
        return np.round(celsius * 9 / 5 + 32, 2)
    return np.round(celsius + 273.15, 2)


def speed(metres_per_s: np.ndarray, units: str) -> np.ndarray:
    """m/s, or miles per hour for `imperial`."""
    return np.round(metres_per_s * (2.23694 if units == "imperial" else 1.0), 2)


def feels_like(w: Hourly) -> np.ndarray:
    """Apparent temperature in °C (Steadman: humidity warms, wind cools)."""
    vapour = w.humidity / 100 * 6.105 * np.exp(17.27 * w.temp_c / (237.7 + w.temp_c))
    return w.temp_c + 0.33 * vapour - 0.70 * w.wind_speed - 4.0


def sun_times(lat: float, lon: float, t: int) -> tuple[int, int]:
    """(sunrise, sunset) epoch seconds of the local solar day containing epoch second `t`.

    Polar day or night puts both at solar noon.
    """
    day = dt.datetime.fromtimestamp(t + lon * 240, dt.UTC).date()  # 240 s per degree
    doy = day.timetuple().tm_yday
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
    cos_h = np.clip(-np.tan(np.radians(lat)) * np.tan(decl), -1.0, 1.0)
    half_day_s = np.degrees(np.arccos(cos_h)) * 240
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    noon = midnight + 12 * 3600 - lon * 240
    return round(noon - half_day_s), round(noon + half_day_s)


def place_info(lat: float, lon: float, when: dt.datetime) -> dict:
    """id, name, country and UTC offset (s) of the marketplace city at these coordinates."""
    for city in CITIES:
        if abs(city.latitude - lat) <= 0.05 and abs(city.longitude - lon) <= 0.05:
            offset = when.astimezone(ZoneInfo(city.timezone)).utcoffset() or dt.timedelta()
            return {
                "id": CITY_IDS[city.city_id],
                "name": city.name,
                "country": city.country,
                "timezone": int(offset.total_seconds()),
            }
    return {"id": 0, "name": "", "country": "", "timezone": round(lon / 15) * 3600}
