"""Flattening OpenWeatherMap bodies into contract rows, and how validation types or rejects them."""

from __future__ import annotations

import datetime as dt

import pytest

from fernway_core.validation import validate_records
from fernway_sandbox import weather_reports
from fernway_sandbox.climate import Place
from fernway_weather.defs.openweathermap import contracts
from fernway_weather.defs.openweathermap.observations import actual_rows, forecast_rows

MIDNIGHT = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
T0 = int(MIDNIGHT.timestamp())  # 1785542400
HOUR_S = 3600


def history_entry(when: int = T0, **overrides: object) -> dict:
    """One entry of a History API `list`, shaped like the real answer (no rain that hour)."""
    entry = {
        "dt": when,
        "main": {
            "temp": 18.4,
            "feels_like": 18.1,
            "pressure": 1014,
            "humidity": 72,
            "temp_min": 17.2,
            "temp_max": 19.5,
        },
        "wind": {"speed": 3.6, "deg": 240, "gust": 6.1},
        "clouds": {"all": 40},
        "weather": [
            {"id": 802, "main": "Clouds", "description": "scattered clouds", "icon": "03n"}
        ],
    }
    return {**entry, **overrides}


def forecast_entry(when: int, **overrides: object) -> dict:
    """One 3-hour step of the 5 day forecast `list`, shaped like the real answer."""
    entry = {
        "dt": when,
        "main": {
            "temp": 21.0,
            "feels_like": 20.6,
            "temp_min": 19.8,
            "temp_max": 21.4,
            "pressure": 1011,
            "humidity": 60,
            "sea_level": 1011,
            "grnd_level": 1011,
            "temp_kf": 0,
        },
        "weather": [{"id": 500, "main": "Rain", "description": "light rain", "icon": "10d"}],
        "clouds": {"all": 75},
        "wind": {"speed": 4.2, "deg": 200, "gust": 7.9},
        "visibility": 10000,
        "pop": 0.64,
        "rain": {"3h": 0.9},
        "sys": {"pod": "d"},
        "dt_txt": dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    return {**entry, **overrides}


def reasons_by_key(rows: list[dict]) -> dict[str, tuple[str, str, str | None]]:
    rejects = validate_records(rows, contracts.ACTUAL, contracts.SOURCE).rejects
    return {r["record_key"]: (r["reason"], r["field"], r["value"]) for r in rejects.to_pylist()}


def test_history_entry_flattens_to_a_row_with_iso_utc_time_and_zero_rain_when_absent() -> None:
    (row,) = actual_rows("lisbon", [history_entry()], "history")
    assert row == {
        "observation_id": "lisbon@2026-08-01T00:00:00+00:00",
        "city_id": "lisbon",
        "observed_at": "2026-08-01T00:00:00+00:00",
        "source": "history",
        "temp_c": 18.4,
        "feels_like_c": 18.1,
        "temp_min_c": 17.2,
        "temp_max_c": 19.5,
        "pressure_hpa": 1014,
        "humidity_pct": 72,
        "wind_speed_ms": 3.6,
        "wind_deg": 240,
        "wind_gust_ms": 6.1,
        "clouds_pct": 40,
        "condition_id": 802,
        "condition_main": "Clouds",
        "condition_description": "scattered clouds",
        "rain_1h_mm": 0.0,
        "snow_1h_mm": 0.0,
    }


def test_rain_and_snow_blocks_are_read_from_their_1h_amounts() -> None:
    entry = history_entry(rain={"1h": 1.25}, snow={"1h": 0.4})
    (row,) = actual_rows("lisbon", [entry], "current")
    assert (row["rain_1h_mm"], row["snow_1h_mm"], row["source"]) == (1.25, 0.4, "current")


def test_entry_without_weather_list_or_wind_gust_leaves_those_fields_null() -> None:
    entry = history_entry(weather=[], wind={"speed": 1.0, "deg": 90})
    (row,) = actual_rows("lisbon", [entry], "history")
    assert row["condition_id"] is None
    assert row["condition_main"] is None
    assert row["wind_gust_ms"] is None


def test_valid_history_row_is_typed_by_the_actual_contract() -> None:
    result = validate_records(
        actual_rows("lisbon", [history_entry()], "history"), contracts.ACTUAL, "openweathermap"
    )
    assert result.rejects.num_rows == 0
    (row,) = result.valid.to_pylist()
    assert row["observed_at"] == dt.datetime(2026, 8, 1, 0, 0)  # naive UTC
    assert str(result.valid.schema.field("observed_at").type) == "timestamp[us]"
    assert str(result.valid.schema.field("pressure_hpa").type) == "int32"
    assert str(result.valid.schema.field("temp_c").type) == "double"
    assert row["condition_id"] == 802
    assert row["rain_1h_mm"] == 0.0


def test_missing_temperature_is_rejected_as_null_field_temp_c_with_its_hourly_partition() -> None:
    entry = history_entry(main={"pressure": 1014, "humidity": 72})
    rejects = validate_records(
        actual_rows("lisbon", [entry], "history"), contracts.ACTUAL, "openweathermap"
    ).rejects.to_pylist()
    assert len(rejects) == 1
    assert (rejects[0]["reason"], rejects[0]["field"], rejects[0]["value"]) == (
        "null_field",
        "temp_c",
        None,
    )
    assert rejects[0]["partition_key"] == "2026-08-01-00:00"
    assert rejects[0]["source"] == "openweathermap"
    assert rejects[0]["entity"] == "weather_actual"
    assert rejects[0]["record_key"] == "lisbon@2026-08-01T00:00:00+00:00"


def test_dt_that_is_not_a_timestamp_is_rejected_as_wrong_type_without_partition() -> None:
    rows = actual_rows("lisbon", [history_entry(when="yesterday")], "history")
    assert rows[0]["observed_at"] == "yesterday"
    (reject,) = validate_records(rows, contracts.ACTUAL, "openweathermap").rejects.to_pylist()
    assert (reject["reason"], reject["field"], reject["value"]) == (
        "wrong_type",
        "observed_at",
        "yesterday",
    )
    assert reject["partition_key"] is None


def test_negative_rain_is_rejected_with_the_raw_value_and_the_hour_partition() -> None:
    entry = history_entry(T0 + 5 * HOUR_S, rain={"1h": -1})
    (reject,) = validate_records(
        actual_rows("lisbon", [entry], "history"), contracts.ACTUAL, "openweathermap"
    ).rejects.to_pylist()
    assert (reject["reason"], reject["field"], reject["value"]) == (
        "negative_amount",
        "rain_1h_mm",
        "-1",
    )
    assert reject["partition_key"] == "2026-08-01-05:00"


def test_entry_that_is_not_a_dict_becomes_a_reject_rather_than_an_error() -> None:
    rows = actual_rows("lisbon", ["n/a", None], "history")
    assert [r["observed_at"] for r in rows] == ["n/a", None]
    assert reasons_by_key(rows) == {
        "lisbon@n/a": ("wrong_type", "observed_at", "n/a"),
        "lisbon@None": ("null_field", "observed_at", None),
    }


def test_good_and_bad_entries_are_split_between_valid_and_rejects() -> None:
    entries = [
        history_entry(T0),
        history_entry(T0 + HOUR_S, main={}),
        history_entry(T0 + 2 * HOUR_S),
        "garbage",
    ]
    result = validate_records(
        actual_rows("lisbon", entries, "history"), contracts.ACTUAL, "openweathermap"
    )
    assert result.received == 4
    assert [r["observed_at"].hour for r in result.valid.to_pylist()] == [0, 2]
    assert sorted((r["reason"], r["field"]) for r in result.rejects.to_pylist()) == [
        ("null_field", "temp_c"),
        ("wrong_type", "observed_at"),
    ]


def test_duplicate_observations_of_one_city_and_hour_collapse_to_one_row() -> None:
    entries = [history_entry(), history_entry(), history_entry(T0 + HOUR_S)]
    rows = actual_rows("lisbon", entries, "history")
    result = validate_records(rows, contracts.ACTUAL, "openweathermap")
    assert result.valid.num_rows == 2
    assert result.duplicates == 1
    assert result.rejects.num_rows == 0


def test_same_hour_in_two_cities_is_not_a_duplicate() -> None:
    rows = actual_rows("lisbon", [history_entry()], "history") + actual_rows(
        "porto", [history_entry()], "history"
    )
    result = validate_records(rows, contracts.ACTUAL, "openweathermap")
    assert result.valid.num_rows == 2
    assert result.duplicates == 0


def test_a_whole_sandbox_history_body_validates_without_rejects() -> None:
    first = T0 // HOUR_S
    body = weather_reports.history(Place(42, 38.7223, -9.1393), "metric", first, first + 23)
    result = validate_records(
        actual_rows("lisbon", body["list"], "history"), contracts.ACTUAL, "openweathermap"
    )
    assert result.rejects.to_pylist() == []
    assert result.valid.num_rows == 24
    assert result.drift_fields == []


def test_a_sandbox_current_body_flattens_to_one_valid_row() -> None:
    now = MIDNIGHT + dt.timedelta(minutes=37)
    body = weather_reports.current(Place(42, 38.7223, -9.1393), "metric", now)
    result = validate_records(
        actual_rows("lisbon", [body], "current"), contracts.ACTUAL, "openweathermap"
    )
    assert result.rejects.to_pylist() == []
    (row,) = result.valid.to_pylist()
    assert row["observed_at"] == dt.datetime(2026, 8, 1, 0, 30)  # dt rounded down to 10 minutes
    assert row["source"] == "current"


def test_forecast_steps_flatten_with_ids_that_include_the_issue_date() -> None:
    issued = MIDNIGHT + dt.timedelta(minutes=10)
    body = {"cod": "200", "list": [forecast_entry(T0 + 3 * HOUR_S)], "city": {"id": 1}}
    (row,) = forecast_rows("lisbon", body, issued)
    assert row["forecast_id"] == "lisbon@2026-08-01@2026-08-01T03:00:00+00:00"
    assert row["issued_at"] == "2026-08-01T00:10:00+00:00"
    assert row["forecast_for"] == "2026-08-01T03:00:00+00:00"
    assert row["precipitation_probability"] == 0.64
    assert (row["rain_3h_mm"], row["snow_3h_mm"]) == (0.9, 0.0)
    assert (row["condition_id"], row["condition_main"]) == (500, "Rain")


def test_the_same_step_forecast_on_two_days_keeps_two_distinct_ids() -> None:
    step = forecast_entry(T0 + 2 * 24 * HOUR_S)
    day1 = forecast_rows("lisbon", {"list": [step]}, MIDNIGHT)
    day2 = forecast_rows("lisbon", {"list": [step]}, MIDNIGHT + dt.timedelta(days=1))
    result = validate_records(day1 + day2, contracts.FORECAST, "openweathermap")
    assert day1[0]["forecast_id"] != day2[0]["forecast_id"]
    assert result.valid.num_rows == 2
    assert result.duplicates == 0


def test_forecast_rows_validate_against_the_forecast_contract() -> None:
    body = {"list": [forecast_entry(T0 + 3 * HOUR_S * i) for i in range(1, 5)]}
    result = validate_records(
        forecast_rows("lisbon", body, MIDNIGHT), contracts.FORECAST, "openweathermap"
    )
    assert result.rejects.num_rows == 0
    assert result.valid.num_rows == 4
    assert result.valid.to_pylist()[0]["forecast_for"] == dt.datetime(2026, 8, 1, 3, 0)


def test_a_sandbox_forecast_body_validates_without_rejects() -> None:
    body = weather_reports.forecast(Place(42, 38.7223, -9.1393), "metric", MIDNIGHT, 40)
    result = validate_records(
        forecast_rows("lisbon", body, MIDNIGHT), contracts.FORECAST, "openweathermap"
    )
    assert result.rejects.to_pylist() == []
    assert result.valid.num_rows == 40


def test_forecast_step_without_pop_is_rejected_as_null_field_probability() -> None:
    step = forecast_entry(T0 + 3 * HOUR_S)
    del step["pop"]
    (reject,) = validate_records(
        forecast_rows("lisbon", {"list": [step]}, MIDNIGHT), contracts.FORECAST, "openweathermap"
    ).rejects.to_pylist()
    assert (reject["reason"], reject["field"]) == ("null_field", "precipitation_probability")


@pytest.mark.parametrize(
    "body",
    [{"cod": "401", "message": "Invalid API key"}, {"list": None}, [], None, "oops"],
)
def test_forecast_body_without_a_list_raises_value_error(body: object) -> None:
    with pytest.raises(ValueError, match="forecast for lisbon: the body has no 'list' of steps"):
        forecast_rows("lisbon", body, MIDNIGHT)
