"""What a valid weather row looks like once flattened (the raw tables follow these)."""

from fernway_core.validation import Field, RecordSpec

SOURCE = "openweathermap"

_MEASURES = (
    Field("temp_c", "double"),
    Field("feels_like_c", "double"),
    Field("temp_min_c", "double"),
    Field("temp_max_c", "double"),
    Field("pressure_hpa", "integer", non_negative=True),
    Field("humidity_pct", "integer", non_negative=True),
    Field("wind_speed_ms", "double", non_negative=True),
    Field("wind_deg", "integer", required=False),
    Field("wind_gust_ms", "double", required=False, non_negative=True),
    Field("clouds_pct", "integer", non_negative=True),
)
_CONDITION = (
    Field("condition_id", "integer"),
    Field("condition_main"),
    Field("condition_description"),
)

ACTUAL = RecordSpec(
    entity="weather_actual",
    key="observation_id",
    partition_field="observed_at",
    partition_format="%Y-%m-%d-%H:00",
    fields=(
        Field("observation_id"),
        Field("city_id"),
        Field("observed_at", "timestamp"),
        Field("source"),
        *_MEASURES,
        Field("rain_1h_mm", "double", non_negative=True),
        Field("snow_1h_mm", "double", non_negative=True),
        *_CONDITION,
    ),
)

FORECAST = RecordSpec(
    entity="weather_forecast",
    key="forecast_id",
    fields=(
        Field("forecast_id"),
        Field("city_id"),
        Field("issued_at", "timestamp"),
        Field("forecast_for", "timestamp"),
        *_MEASURES,
        Field("precipitation_probability", "double", non_negative=True),
        Field("rain_3h_mm", "double", non_negative=True),
        Field("snow_3h_mm", "double", non_negative=True),
        *_CONDITION,
    ),
)

LOCATIONS = RecordSpec(
    entity="delivery_cities",
    key="city_id",
    fields=(
        Field("city_id"),
        Field("name"),
        Field("country"),
        Field("latitude", "double"),
        Field("longitude", "double"),
        Field("timezone"),
    ),
)
