"""The demand forecast: hyper-parameters as run config, accuracy against the naive baseline."""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse
from fernway_ml.defs.demand import data
from fernway_ml.defs.demand.config import ForecastConfig
from fernway_ml.defs.demand.forecast import NotEnoughHistoryError, evaluate_and_forecast
from fernway_ml.defs.demand.plot import forecast_png, markdown_image
from fernway_ml.defs.demand.tables import accuracy_metadata, accuracy_table, forecast_table
from fernway_ml.defs.upstream.assets import DAILY_ORDER_SUMMARY, WEATHER_ACTUAL

FORECAST_KEY = dg.AssetKey(["ml", "demand_forecast"])
ACCURACY_KEY = dg.AssetKey(["ml", "forecast_accuracy"])
FORECAST_TABLE = "ml.demand_forecast"
ACCURACY_TABLE = "ml.forecast_accuracy"
# keyword arguments shared by both specs
COMMON: dict[str, Any] = {
    "group_name": "demand",
    "kinds": {"scikit-learn", "python", "duckdb"},
    "owners": ["team:ml"],
    "deps": [DAILY_ORDER_SUMMARY, WEATHER_ACTUAL],
}


@dg.multi_asset(
    name="demand_forecast",
    specs=[
        dg.AssetSpec(
            FORECAST_KEY,
            description="Daily orders forecast with a prediction interval and the naive baseline.",
            **COMMON,
        ),
        dg.AssetSpec(
            ACCURACY_KEY,
            description="Holdout MAPE, MAE and bias of the forecast model and the naive baseline.",
            **COMMON,
        ),
    ],
)
def demand_forecast(
    context: dg.AssetExecutionContext, config: ForecastConfig, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Fit the demand model on daily orders, score it on a holdout, forecast the horizon."""
    history = data.daily_orders(warehouse)
    weather = data.daily_weather(warehouse) if config.use_weather else None
    try:
        run = evaluate_and_forecast(history, weather, config)
    except NotEnoughHistoryError as exc:
        raise dg.Failure(description=f"cannot fit the demand model: {exc}") from None
    context.log.info(f"weather features {run.weather_note}")
    warehouse.replace_many(
        [
            Replacement(FORECAST_TABLE, forecast_table(run, config)),
            Replacement(ACCURACY_TABLE, accuracy_table(run)),
        ]
    )
    png = forecast_png(history, run.holdout, run.forecast, config.interval_level)
    plot_path = get_settings().data_dir / "ml" / "plots" / context.run.run_id / "forecast.png"
    plot_path.parent.mkdir(parents=True, exist_ok=True)
    plot_path.write_bytes(png)
    yield dg.MaterializeResult(
        asset_key=FORECAST_KEY,
        metadata={
            **warehouse.table_metadata(FORECAST_TABLE),
            "plot": dg.MetadataValue.md(markdown_image(png, "demand forecast")),
            "plot_path": dg.MetadataValue.path(str(plot_path)),
            "trained_through": run.fitted.train_end.date().isoformat(),
            "training_days": run.fitted.training_days,
            "horizon_days": config.horizon_days,
            "interval_level": config.interval_level,
            "weather_features": run.weather_note,
        },
    )
    yield dg.MaterializeResult(
        asset_key=ACCURACY_KEY,
        metadata={**warehouse.table_metadata(ACCURACY_TABLE), **accuracy_metadata(run)},
    )
