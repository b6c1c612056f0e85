"""ml.forecast_backtest v1: the latest challenger's rolling-origin backtest, at every level."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column

LEVELS = ["overall", "origin", "series"]
METHODS = ["model", "seasonal_naive", "moving_average"]


class ForecastBacktestV1(pa.DataFrameModel):
    """Accuracy of one method at one level: overall, per origin, or per SKU x DC."""

    model_version: Series[str] = column("Model version the backtest belongs to.")
    level: Series[str] = column("Aggregation level of the row.", isin=LEVELS)
    method: Series[str] = column("The model or a baseline scored beside it.", isin=METHODS)
    origin: Series[pa.Date] = column("Backtest origin (origin level only).", nullable=True)
    sku: Series[str] = column("Stock-keeping unit (series level only).", "public", nullable=True)
    location_id: Series[str] = column("Distribution centre (series level only).", nullable=True)
    mase: Series[float] = column("Mean absolute scaled error.", nullable=True, ge=0)
    mase_total: Series[float] = column("MASE of the network total.", nullable=True, ge=0)
    wape: Series[float] = column("Weighted absolute percentage error.", nullable=True, ge=0)
    bias: Series[float] = column("Relative bias (> 0 over-forecasts).", nullable=True)
    p90_coverage: Series[float] = column("Share of actuals at or below P90.", nullable=True)
    n_rows: Series[int] = column("Scored days (stock-out days excluded).", ge=0)

    class Config:
        name = "ml.forecast_backtest v1"
        unique = ["model_version", "level", "method", "origin", "sku", "location_id"]
        strict = True
