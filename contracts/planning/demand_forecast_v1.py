"""planning.demand_forecast v1: daily demand forecast per SKU and DC over the horizon."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class DemandForecastV1(pa.DataFrameModel):
    """Forecast of one SKU at one DC for one future day, with a seasonal-naive baseline beside it."""

    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre.")
    forecast_origin: Series[pa.Date] = column("Last day of history the forecast was made from.")
    forecast_date: Series[pa.Date] = column("Day forecast.")
    horizon_day: Series[int] = column("Days ahead of the origin.", ge=1, le=366)
    p50: Series[float] = column("Median forecast of units demanded.", ge=0)
    p90: Series[float] = column("90th percentile of units demanded.", ge=0)
    seasonal_naive: Series[float] = column("Weekly seasonal-naive baseline.", ge=0)
    error_std_daily: Series[float] = column(
        "Daily forecast error standard deviation of the series, measured on held-out days.", ge=0
    )
    model_version: Series[str] = column("Model version that produced p50 and p90.")

    @pa.dataframe_check(name="p90_not_below_p50", error="p90 >= p50")
    def quantiles_ordered(cls, df):
        """Quantiles must not cross, or the safety stock built on them is meaningless."""
        return df["p90"] >= df["p50"] - 1e-9

    class Config:
        name = "planning.demand_forecast v1"
        unique = ["sku", "location_id", "forecast_date"]
        strict = True
