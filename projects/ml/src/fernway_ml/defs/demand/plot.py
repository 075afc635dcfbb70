"""The forecast plot: recent history, holdout check, forecast and its prediction interval."""

from __future__ import annotations

import base64
import io

import pandas as pd

HISTORY_DAYS = 56


def forecast_png(
    history: pd.Series, holdout: pd.DataFrame, forecast: pd.DataFrame, level: float
) -> bytes:
    """A PNG of the last weeks of orders, the holdout predictions and the forecast."""
    from matplotlib.figure import Figure  # imported when plotting: ~1 s off location load

    fig = Figure(figsize=(9, 3.6), dpi=90)
    ax = fig.subplots()
    recent = history[history.index > history.index.max() - pd.Timedelta(days=HISTORY_DAYS)]
    ax.plot(recent.index, recent.to_numpy(), color="#333333", lw=1.4, label="orders (actual)")
    ax.plot(
        holdout.index, holdout["forecast"], color="#1f77b4", lw=1, ls="--", label="holdout forecast"
    )
    ax.plot(holdout.index, holdout["naive"], color="#999999", lw=1, ls=":", label="naive seasonal")
    ax.plot(forecast.index, forecast["forecast"], color="#1f77b4", lw=1.8, label="forecast")
    ax.fill_between(
        forecast.index,
        forecast["lower"],
        forecast["upper"],
        color="#1f77b4",
        alpha=0.2,
        label=f"{level:.0%} interval",
    )
    ax.set_ylabel("orders per day")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.autofmt_xdate()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown that embeds the PNG (renders in the Dagster UI's metadata panel)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
