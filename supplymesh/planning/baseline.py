"""The weekly seasonal-naive baseline every model forecast is published beside.

For origin ``o`` and horizon day ``h`` the forecast is the units sold on
``o - 7 + ((h - 1) mod 7) + 1``: the same weekday of the last observed week, repeated over the
horizon. It needs no fitting, so it is the honest yardstick for whether the model earns its keep.
The last week is taken as recorded (stock-out days included, as a naive planner would); a day
with no record forecasts 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning._frames import SERIES_KEYS


def seasonal_naive_source_date(origin: pd.Timestamp, target: pd.Series) -> pd.Series:
    """The history date whose sales forecast each ``target`` date (weekly seasonal naive)."""
    h = (target - origin).dt.days
    return origin - pd.Timedelta(days=7) + pd.to_timedelta((h - 1) % 7 + 1, unit="D")


def seasonal_naive(
    history: pd.DataFrame, targets: pd.DataFrame, origin: pd.Timestamp
) -> np.ndarray:
    """Seasonal-naive forecast for each row of ``targets`` (sku, location_id, demand_date > origin).

    ``history`` holds sku, location_id, demand_date, units_sold for at least the 7 days ending at
    ``origin``. Returns an array aligned with ``targets``' rows.
    """
    last_week = history.loc[
        (history["demand_date"] > origin - pd.Timedelta(days=7))
        & (history["demand_date"] <= origin),
        [*SERIES_KEYS, "demand_date", "units_sold"],
    ].rename(columns={"demand_date": "source_date"})
    keyed = targets[SERIES_KEYS].copy()
    keyed["source_date"] = seasonal_naive_source_date(origin, targets["demand_date"]).to_numpy()
    merged = keyed.merge(last_week, on=[*SERIES_KEYS, "source_date"], how="left")
    return np.clip(merged["units_sold"].fillna(0.0).to_numpy(dtype=float), 0.0, None)
