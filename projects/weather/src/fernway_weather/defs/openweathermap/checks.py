"""Checks on the raw weather tables: no record was rejected (coverage runs with the load)."""

from fernway_core.rejects import build_rejects_check
from fernway_weather.defs.openweathermap.assets import ACTUAL_KEY, FORECAST_KEY
from fernway_weather.defs.openweathermap.contracts import ACTUAL, FORECAST, SOURCE

actual_rejects = build_rejects_check(ACTUAL_KEY, SOURCE, ACTUAL.entity)
forecast_rejects = build_rejects_check(FORECAST_KEY, SOURCE, FORECAST.entity)
