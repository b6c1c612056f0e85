"""The two baselines every model forecast is scored beside: seasonal naive and moving average.

* Seasonal naive: for origin ``o`` and a target ``h`` periods ahead, the value of period
  ``o - m + ((h - 1) mod m) + 1`` (``m`` periods per season: 7 days, 52 weeks, 12 months), i.e.
  the same weekday of the last observed week repeated over the horizon. The last season is taken
  as recorded (stock-out days included, as a naive planner would). When a series has no record of
  that period (it started less than a season before the origin) the last value at the origin is
  used instead, and failing that 0.
* Moving average: the mean of the last ``window`` periods up to the origin, stock-out periods
  left out (they are censored demand), repeated over the horizon.

Neither needs fitting, so they are the honest yardstick for whether the model earns its keep.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import period_index
from supplymesh.planning.frames import SERIES_KEYS


def seasonal_naive_source_date(origin: pd.Timestamp, target: pd.Series) -> pd.Series:
    """The history date whose sales forecast each ``target`` date (weekly seasonal naive)."""
    h = (target - origin).dt.days
    return origin - pd.Timedelta(days=7) + pd.to_timedelta((h - 1) % 7 + 1, unit="D")


def _periods(frame: pd.DataFrame, freq: str) -> np.ndarray:
    return period_index(frame["demand_date"], freq)


def seasonal_naive(
    history: pd.DataFrame,
    targets: pd.DataFrame,
    origin: pd.Timestamp,
    season: int = 7,
    freq: str = "D",
) -> np.ndarray:
    """Seasonal-naive forecast for each row of ``targets`` (sku, location_id, demand_date > origin).

    ``history`` holds sku, location_id, demand_date, units_sold up to ``origin``. Returns an array
    aligned with ``targets``' rows.
    """
    o = int(period_index(pd.Series([origin]), freq)[0])
    hist = history[[*SERIES_KEYS, "units_sold"]].copy()
    hist["period"] = _periods(history, freq)
    hist = hist[(hist["period"] <= o) & (hist["period"] > o - season)]
    keyed = targets[SERIES_KEYS].copy()
    h = _periods(targets, freq) - o
    keyed["period"] = o - season + (h - 1) % season + 1
    merged = keyed.merge(hist, on=[*SERIES_KEYS, "period"], how="left")
    values = merged["units_sold"].to_numpy(dtype=float)
    if np.isnan(values).any():
        last = (
            hist.sort_values("period")
            .groupby(SERIES_KEYS)["units_sold"]
            .last()
            .rename("_last")
            .reset_index()
        )
        fallback = keyed.merge(last, on=SERIES_KEYS, how="left")["_last"].to_numpy(dtype=float)
        values = np.where(np.isnan(values), fallback, values)
    return np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)


def moving_average(
    history: pd.DataFrame,
    targets: pd.DataFrame,
    origin: pd.Timestamp,
    window: int = 28,
    freq: str = "D",
) -> np.ndarray:
    """Mean units per period over the ``window`` periods ending at ``origin`` (stock-outs left
    out; a series with only stock-out periods in the window uses all of them), per target row."""
    o = int(period_index(pd.Series([origin]), freq)[0])
    cols = [*SERIES_KEYS, "units_sold", "is_stockout"]
    hist = history[cols].copy()
    hist["period"] = _periods(history, freq)
    hist = hist[(hist["period"] <= o) & (hist["period"] > o - window)]
    clean = hist[~hist["is_stockout"].astype(bool)]
    mean_clean = clean.groupby(SERIES_KEYS)["units_sold"].mean().rename("_clean")
    mean_all = hist.groupby(SERIES_KEYS)["units_sold"].mean().rename("_all")
    means = pd.concat([mean_clean, mean_all], axis=1).reset_index()
    merged = targets[SERIES_KEYS].merge(means, on=SERIES_KEYS, how="left")
    values = merged["_clean"].fillna(merged["_all"]).to_numpy(dtype=float)
    return np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)
