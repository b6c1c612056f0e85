"""planning.forecast_accuracy v1: how accurate each forecast was, once its actuals arrived."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class ForecastAccuracyV1(pa.DataFrameModel):
    """Accuracy of one forecast (live) or one backtest origin, for one method."""

    source: Series[str] = column(
        "live: a published forecast scored on actuals that arrived since; backtest: a past "
        "origin of the serving model's backtest.",
        isin=["live", "backtest"],
    )
    forecast_origin: Series[pa.Date] = column("Day the forecast was made from.")
    model_version: Series[str] = column("Model version that made the forecast.")
    method: Series[str] = column(
        "The model or a baseline.", isin=["model", "seasonal_naive", "moving_average"]
    )
    first_day: Series[pa.Date] = column("First forecast day scored.")
    last_day: Series[pa.Date] = column("Last forecast day scored (actuals arrive over time).")
    days_scored: Series[int] = column("Distinct days with actuals.", ge=1)
    n_rows: Series[int] = column("SKU x DC x day rows scored (stock-outs excluded).", ge=1)
    actual_units: Series[float] = column("Units actually sold on the scored rows.", ge=0)
    forecast_units: Series[float] = column("Units forecast for the scored rows.", ge=0)
    wape: Series[float] = column("Weighted absolute percentage error.", nullable=True, ge=0)
    bias: Series[float] = column("Relative bias (> 0 over-forecasts).", nullable=True)
    p90_coverage: Series[float] = column(
        "Share of actuals at or below P90 (model only).", nullable=True, ge=0, le=1
    )
    evaluated_at: Series[pa.DateTime] = column("When the row was last scored (UTC).")

    class Config:
        name = "planning.forecast_accuracy v1"
        unique = ["source", "forecast_origin", "model_version", "method"]
        strict = True
