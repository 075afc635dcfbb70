"""OpenWeatherMap response bodies: current weather, hourly history, 5 day / 3 hour forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from fernway_sandbox import owm
from fernway_sandbox.climate import FIELD, Hourly, Place, hourly, uniform

STEP_H = 3
HISTORY_MAIN = ("temp", "feels_like", "pressure", "humidity", "temp_min", "temp_max")


def main_block(w: Hourly, i: int, units: str, low: float, high: float) -> dict:
    """The `main` object of hour `i` (temperatures in `units`)."""
    temp = owm.temperature(np.array([w.temp_c[i], owm.feels_like(w)[i], low, high]), units)
    pressure = int(w.pressure[i])
    return {
        "temp": float(temp[0]),
        "feels_like": float(temp[1]),
        "temp_min": float(temp[2]),
        "temp_max": float(temp[3]),
        "pressure": pressure,
        "humidity": int(w.humidity[i]),
        "sea_level": pressure,
        "grnd_level": pressure,
    }


def wind_block(w: Hourly, i: int, units: str) -> dict:
    """The `wind` object of hour `i`."""
    speeds = owm.speed(np.array([w.wind_speed[i], w.wind_gust[i]]), units)
    return {"speed": float(speeds[0]), "deg": int(w.wind_deg[i]), "gust": float(speeds[1])}


def precipitation(rain: float, snow: float, period: str) -> dict:
    """`rain` / `snow` objects, present only when there is some."""
    amounts = {"rain": round(rain, 2), "snow": round(snow, 2)}
    return {kind: {period: mm} for kind, mm in amounts.items() if mm > 0}


def current(place: Place, units: str, now: dt.datetime) -> dict:
    """Current weather: the hour containing `now`."""
    t = int(now.timestamp())
    w = hourly(place, np.array([t // 3600]))
    code = int(owm.condition_codes(w.rain_mm, w.snow_mm, w)[0])
    spread = 0.3 + 1.2 * float(uniform(w.hours, *place.keys, FIELD, 0)[0])
    sunrise, sunset = owm.sun_times(place.lat, place.lon, int(now.timestamp()))
    info = owm.place_info(place.lat, place.lon, now)
    return {
        "coord": {"lon": round(place.lon, 4), "lat": round(place.lat, 4)},
        "weather": [owm.weather_block(code, sunrise <= t < sunset)],
        "base": "stations",
        "main": main_block(w, 0, units, w.temp_c[0] - spread, w.temp_c[0] + spread),
        "visibility": owm.visibility(code),
        "wind": wind_block(w, 0, units),
        **precipitation(float(w.rain_mm[0]), float(w.snow_mm[0]), "1h"),
        "clouds": {"all": int(w.clouds[0])},
        "dt": t - t % 600,
        "sys": {"country": info["country"], "sunrise": sunrise, "sunset": sunset},
        "timezone": info["timezone"],
        "id": info["id"],
        "name": info["name"],
        "cod": 200,
    }


def history(place: Place, units: str, first_hour: int, last_hour: int) -> dict:
    """History API (`type=hour`): one observation per whole hour from first to last (epoch h)."""
    hours = np.arange(first_hour, last_hour + 1, dtype=np.int64)
    w = hourly(place, hours)
    codes = owm.condition_codes(w.rain_mm, w.snow_mm, w)
    spread = 0.3 + 1.2 * uniform(hours, *place.keys, FIELD, 0)
    entries = []
    for i, hour in enumerate(hours.tolist()):
        t = hour * 3600
        sunrise, sunset = owm.sun_times(place.lat, place.lon, t)
        main = main_block(w, i, units, w.temp_c[i] - spread[i], w.temp_c[i] + spread[i])
        entries.append(
            {
                "dt": t,
                "main": {key: main[key] for key in HISTORY_MAIN},
                "wind": wind_block(w, i, units),
                "clouds": {"all": int(w.clouds[i])},
                "weather": [owm.weather_block(int(codes[i]), sunrise <= t < sunset)],
                **precipitation(float(w.rain_mm[i]), float(w.snow_mm[i]), "1h"),
            }
        )
    info = owm.place_info(
        place.lat, place.lon, dt.datetime.fromtimestamp(first_hour * 3600, dt.UTC)
    )
    return {
        "message": f"Count: {len(entries)}",
        "cod": "200",
        "city_id": info["id"],
        "calctime": 0.0,
        "cnt": len(entries),
        "list": entries,
    }


def forecast(place: Place, units: str, now: dt.datetime, count: int) -> dict:
    """5 day / 3 hour forecast: `count` steps from the next 3-hour boundary (UTC)."""
    first = int(now.timestamp()) // 3600 // STEP_H * STEP_H + STEP_H
    steps = first + STEP_H * np.arange(count)
    w = hourly(place, np.arange(first - 6, steps[-1] + 3))
    idx = steps - (first - 6)
    window = idx[:, None] - np.arange(1, STEP_H + 1)  # the 3 hours before each step
    rain, snow = w.rain_mm[window].sum(axis=1), w.snow_mm[window].sum(axis=1)
    wet = (w.rain_mm + w.snow_mm) > 0
    near = wet[idx[:, None] + np.arange(-6, 3)].any(axis=1)
    at = replace(w.at(idx), convective=w.convective[window].any(axis=1))
    codes = owm.condition_codes(rain / STEP_H, snow / STEP_H, at)
    temps = w.temp_c[np.concatenate([window, idx[:, None]], axis=1)]
    u = uniform(steps, *place.keys, FIELD, 1)
    pop = np.where(rain + snow > 0, 0.6 + 0.4 * np.minimum(1.0, (rain + snow) / 4.0), 0.0)
    pop = np.round(np.where(near & (pop == 0), 0.15 + 0.25 * u, pop), 2)
    entries = []
    for i, step in enumerate(steps.tolist()):
        moment = dt.datetime.fromtimestamp(step * 3600, dt.UTC)
        sunrise, sunset = owm.sun_times(place.lat, place.lon, step * 3600)
        daytime = sunrise <= step * 3600 < sunset
        entries.append(
            {
                "dt": step * 3600,
                "main": {
                    **main_block(at, i, units, temps[i].min(), temps[i].max()),
                    "temp_kf": 0,
                },
                "weather": [owm.weather_block(int(codes[i]), daytime)],
                "clouds": {"all": int(at.clouds[i])},
                "wind": wind_block(at, i, units),
                "visibility": owm.visibility(int(codes[i])),
                "pop": float(pop[i]),
                **precipitation(float(rain[i]), float(snow[i]), "3h"),
                "sys": {"pod": "d" if daytime else "n"},
                "dt_txt": moment.strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
    info = owm.place_info(place.lat, place.lon, now)
    sunrise, sunset = owm.sun_times(place.lat, place.lon, int(now.timestamp()))
    city = {
        "id": info["id"],
        "name": info["name"],
        "coord": {"lat": round(place.lat, 4), "lon": round(place.lon, 4)},
        "country": info["country"],
        "population": 0,
        "timezone": info["timezone"],
        "sunrise": sunrise,
        "sunset": sunset,
    }
    return {"cod": "200", "message": 0, "cnt": count, "list": entries, "city": city}
