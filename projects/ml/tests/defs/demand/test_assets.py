"""The forecast: beats the naive seasonal baseline, writes idempotently, uses weather if it can."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from fernway_ml.defs.demand.assets import ACCURACY_KEY, FORECAST_KEY, demand_forecast
from tests.conftest import DAY, END, START

# The model must cut the naive baseline's error by at least 10% over a 56-day holdout. On the
# sandbox data (weekly season, mild trend, ~7% day-to-day noise) the ratio is near 0.75.
MARGIN = 0.9
HOLDOUT_DAYS = 56


def _materialize(warehouse, instance, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [demand_forecast],
        resources={"warehouse": warehouse},
        run_config={"ops": {"demand_forecast": {"config": config}}},
        instance=instance,
    )


def _accuracy(warehouse) -> dict[str, dict]:
    rows = warehouse.query_arrow("select * from ml.forecast_accuracy").to_pylist()
    return {row["model"]: row for row in rows}


def _keep_weather(warehouse, days: int | None) -> None:
    """Keep the last `days` of the weather location's observations (None: drop the table)."""
    if days is None:
        warehouse.execute("drop table weather.fct_weather_actual")
    else:
        since = dt.datetime.combine(END - days * DAY, dt.time())
        warehouse.execute("delete from weather.fct_weather_actual where observed_hour < ?", [since])


def test_forecast_beats_the_naive_seasonal_baseline_by_the_margin(warehouse, instance) -> None:
    # Without weather features: the sandbox's demand does not depend on the weather, and with the
    # weather location's observations the ratio is near 0.95 (see the README's ml section).
    _keep_weather(warehouse, None)
    _materialize(warehouse, instance, holdout_days=HOLDOUT_DAYS)
    accuracy = _accuracy(warehouse)
    model, naive = accuracy["forecast"], accuracy["naive_seasonal"]
    assert model["scored_days"] == naive["scored_days"] == HOLDOUT_DAYS
    assert model["mape"] <= MARGIN * naive["mape"], (model, naive)
    assert model["mae"] <= MARGIN * naive["mae"], (model, naive)


def test_forecast_writes_horizon_rows_and_a_rerun_replaces_them(warehouse, instance) -> None:
    _materialize(warehouse, instance, horizon_days=21)
    result = _materialize(warehouse, instance, horizon_days=21)
    rows = warehouse.query_arrow(
        "select * from ml.demand_forecast order by forecast_date"
    ).to_pylist()
    assert len(rows) == 21
    assert rows[0]["forecast_date"] == END
    assert all(r["lower_bound"] < r["forecast_orders"] < r["upper_bound"] for r in rows)
    assert {r["trained_through"] for r in rows} == {END - DAY}
    assert warehouse.table_metadata("ml.forecast_accuracy")["dagster/row_count"] == 2
    forecast_meta = result.asset_materializations_for_node("demand_forecast")[0].metadata
    assert forecast_meta["dagster/row_count"].value == 21
    assert forecast_meta["plot"].value.startswith("![demand forecast](data:image/png;base64,")
    assert Path(forecast_meta["plot_path"].value).read_bytes()[:4] == b"\x89PNG"
    events = {e.asset_key: e for e in result.get_asset_materialization_events()}
    accuracy_meta = events[ACCURACY_KEY].step_materialization_data.materialization.metadata
    assert {"mape", "mae", "bias", "naive_mape", "naive_mae", "naive_bias"} <= set(accuracy_meta)
    assert FORECAST_KEY in events


@pytest.mark.parametrize(
    ("weather_days", "used"), [(None, False), (30, False), ((END - START).days, True)]
)
def test_weather_features_are_used_only_when_they_cover_every_training_day(
    warehouse, instance, weather_days, used
) -> None:
    _keep_weather(warehouse, weather_days)
    result = _materialize(warehouse, instance)
    flags = warehouse.query_arrow(
        "select distinct weather_features from ml.demand_forecast"
    ).to_pylist()
    assert flags == [{"weather_features": used}]
    note = result.asset_materializations_for_node("demand_forecast")[0].metadata
    assert note["weather_features"].value.startswith("used" if used else "not used")


def test_too_little_history_fails_with_a_message_saying_what_is_needed(warehouse, instance):
    result = dg.materialize(
        [demand_forecast],
        resources={"warehouse": warehouse},
        run_config={"ops": {"demand_forecast": {"config": {"min_history_days": 365}}}},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = result.get_step_failure_events()
    description = failure.step_failure_data.user_failure_data.description
    assert "need min_history_days=365" in description
    assert not warehouse.table_exists("ml.demand_forecast")
