"""Hyper-parameters of the demand model, validated before any work starts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from fernway_ml.config import ValidatedConfig


class ModelConfig(ValidatedConfig):
    """How the daily-orders model is fitted (shared by the forecast and the back-tests)."""

    season_length: int = Field(
        default=7,
        ge=2,
        le=28,
        description="Days per seasonal cycle (7 = weekly); also the naive lag.",
    )
    trend: Literal["linear", "none"] = Field(
        default="linear", description="Fit a linear trend on log orders, or none."
    )
    ridge_alpha: float = Field(
        default=0.01, ge=0.0, le=1000.0, description="L2 penalty of the ridge regression (0 = OLS)."
    )
    interval_level: float = Field(
        default=0.8, gt=0.0, lt=1.0, description="Coverage of the prediction interval, in (0, 1)."
    )
    training_window_days: int | None = Field(
        default=None,
        ge=14,
        le=3660,
        description="Train on at most this many recent days (None = all).",
    )
    min_history_days: int = Field(
        default=28, ge=7, le=3660, description="Fewer training days than this: no model is fitted."
    )
    use_weather: bool = Field(
        default=True, description="Add daily weather features when weather facts cover every day."
    )

    @model_validator(mode="after")
    def _enough_history_for_the_season(self) -> ModelConfig:
        if self.min_history_days < 2 * self.season_length:
            raise ValueError(
                f"min_history_days ({self.min_history_days}) must be at least two seasons "
                f"(2 x season_length = {2 * self.season_length})"
            )
        window = self.training_window_days
        if window is not None and window < self.min_history_days:
            raise ValueError(
                f"training_window_days ({window}) must be >= min_history_days "
                f"({self.min_history_days})"
            )
        return self


class ForecastConfig(ModelConfig):
    """Forecast `horizon_days` ahead; score the last `holdout_days` against the naive baseline."""

    horizon_days: int = Field(
        default=14, ge=1, le=90, description="Days to forecast after the last day."
    )
    holdout_days: int = Field(
        default=28, ge=7, le=90, description="Most recent days held out to measure accuracy."
    )


class BacktestConfig(ModelConfig):
    """Back-tests fit the same model; each partition scores the week that follows its date."""
