"""ml.forecast_backtest v2: the latest challenger's rolling-origin backtest, at every level, with
the statistical peers, the forecaster's other candidates and the forecaster that chooses among them (v1 admitted only the model
and its two baselines: an added allowed method is a breaking change, hence a new major)."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column

LEVELS = ["overall", "origin", "series"]
PEERS = ["auto_ets", "auto_theta", "croston_sba", "tsb", "adida"]
# the forecaster's own candidates beside the peers: two more local models, two global ones
CANDIDATES = ["auto_ces", "dynamic_theta", "window_linear", "window_gbm"]
METHODS = ["model", "seasonal_naive", "moving_average", *PEERS, *CANDIDATES, "forecaster"]


class ForecastBacktestV2(pa.DataFrameModel):
    """Accuracy of one method at one level: overall, per origin, or per SKU x DC.

    The peers may run on a sample of the series (their rows then cover the sample, without a
    network-total MASE); the forecaster is scored on the origins past its warm-up and the rows
    every method forecast (overall and per origin)."""

    model_version: Series[str] = column("Model version the backtest belongs to.")
    level: Series[str] = column("Aggregation level of the row.", isin=LEVELS)
    method: Series[str] = column(
        "The model, a baseline, a statistical peer or the forecaster choosing among them.",
        isin=METHODS,
    )
    origin: Series[pa.Date] = column("Backtest origin (origin level only).", nullable=True)
    sku: Series[str] = column("Stock-keeping unit (series level only).", "public", nullable=True)
    location_id: Series[str] = column("Distribution centre (series level only).", nullable=True)
    mase: Series[float] = column("Mean absolute scaled error.", nullable=True, ge=0)
    mase_total: Series[float] = column("MASE of the network total.", nullable=True, ge=0)
    wape: Series[float] = column("Weighted absolute percentage error.", nullable=True, ge=0)
    bias: Series[float] = column("Relative bias (> 0 over-forecasts).", nullable=True)
    p90_coverage: Series[float] = column("Share of actuals at or below P90.", nullable=True)
    n_rows: Series[int] = column("Scored periods (stock-out periods excluded).", ge=0)

    class Config:
        name = "ml.forecast_backtest v2"
        unique = ["model_version", "level", "method", "origin", "sku", "location_id"]
        strict = True
