"""Demand classes of SKU x DC series: smooth, erratic, intermittent or lumpy (Syntetos-Boylan).

Different kinds of series are best forecast by different methods (a global model for fast movers,
Croston-type methods for series with many zero periods), so the forecaster chooses per class.
The classes follow Syntetos, Boylan and Croston (2005), on two measures of the history:

* ADI, the average inter-demand interval: periods observed over periods with demand. 1.0 means
  demand in every period; at or above ``ADI_CUT`` (1.32) demand is intermittent.
* CV², the squared coefficient of variation of the non-zero demand sizes (population variance
  over the squared mean). At or above ``CV2_CUT`` (0.49) the sizes are erratic.

========================  ==================  ==================
                          CV² < 0.49          CV² >= 0.49
========================  ==================  ==================
ADI < 1.32                smooth              erratic
ADI >= 1.32               intermittent        lumpy
========================  ==================  ==================

Conventions (each has alternatives, so they are written down):

* Only history up to the classification date counts (a class is something a planner knew on
  that day); a period with no row counts as a period without demand.
* A series' periods run from its first row to the classification date (optionally only the last
  ``lookback`` periods); stock-out periods are left out of both counts, since their sales are
  censored demand.
* A series with one demand size has CV² 0; a series with no demand at all has ADI infinite and
  CV² 0, so it is intermittent.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import period_index
from supplymesh.planning.frames import SERIES_KEYS

ADI_CUT = 1.32
CV2_CUT = 0.49
DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
CLASS_COLUMNS = [*SERIES_KEYS, "adi", "cv2", "demand_class"]


def demand_class(adi: np.ndarray, cv2: np.ndarray) -> np.ndarray:
    """The class of each (ADI, CV²) pair by the Syntetos-Boylan-Croston cut-offs."""
    adi, cv2 = np.asarray(adi, dtype=float), np.asarray(cv2, dtype=float)
    intermittent, erratic = adi >= ADI_CUT, cv2 >= CV2_CUT
    return np.select(
        [~intermittent & ~erratic, ~intermittent & erratic, intermittent & ~erratic],
        ["smooth", "erratic", "intermittent"],
        default="lumpy",
    )


def classify_demand(
    history: pd.DataFrame,
    as_of: pd.Timestamp,
    freq: str = "D",
    lookback: int | None = None,
) -> pd.DataFrame:
    """ADI, CV² and class per series from ``history`` up to ``as_of`` (``CLASS_COLUMNS``).

    ``history``: sku, location_id, demand_date, units_sold, is_stockout (several rows of one
    period, e.g. daily rows of a weekly grain, are summed). Rows after ``as_of`` are ignored;
    series with no row up to ``as_of`` are absent from the answer.
    """
    return _classify(_per_period(history, freq), _period(as_of, freq), lookback)


def _period(date: pd.Timestamp, freq: str) -> int:
    return int(period_index(pd.Series([date]), freq)[0])


def _per_period(history: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Units and whether stock ran out per series and period: what every origin's classes read
    (aggregated once for all origins)."""
    rows = history[[*SERIES_KEYS, "demand_date", "units_sold", "is_stockout"]]
    rows = rows.assign(
        period=period_index(rows["demand_date"], freq),
        is_stockout=rows["is_stockout"].fillna(False).astype(bool),
    )
    return (
        rows.groupby([*SERIES_KEYS, "period"], observed=True)
        .agg(units=("units_sold", "sum"), stockout=("is_stockout", "max"))
        .reset_index()
    )


def _classify(per_period: pd.DataFrame, end: int, lookback: int | None) -> pd.DataFrame:
    """``classify_demand`` on ``_per_period`` rows, at period ``end``."""
    keep = per_period["period"] <= end
    if lookback is not None:
        keep &= per_period["period"] > end - lookback
    per = per_period[keep]
    if per.empty:
        return pd.DataFrame(columns=CLASS_COLUMNS)
    first = per.groupby(SERIES_KEYS, observed=True)["period"].min()
    stocked_out = per[per["stockout"]].groupby(SERIES_KEYS, observed=True).size()
    demand = per[~per["stockout"] & (per["units"] > 0)]
    sizes = demand.groupby(SERIES_KEYS, observed=True)["units"]
    out = pd.DataFrame({"observed": end - first + 1}).join(
        pd.DataFrame(
            {
                "stocked_out": stocked_out,
                "n_demand": sizes.size(),
                "mean_size": sizes.mean(),
                "var_size": sizes.var(ddof=0),
            }
        ),
        how="left",
    )
    observed = out["observed"] - out["stocked_out"].fillna(0)
    n_demand = out["n_demand"].fillna(0)
    out["adi"] = np.where(n_demand > 0, observed / n_demand.where(n_demand > 0, 1), np.inf)
    out["cv2"] = (out["var_size"] / out["mean_size"] ** 2).fillna(0.0)
    out["demand_class"] = demand_class(out["adi"].to_numpy(), out["cv2"].to_numpy())
    return out.reset_index()[CLASS_COLUMNS]


def classify_at_origins(
    history: pd.DataFrame,
    origins: Iterable[pd.Timestamp],
    freq: str = "D",
    lookback: int | None = None,
) -> pd.DataFrame:
    """``classify_demand`` at every backtest origin, each from the history up to that origin
    only (columns ``origin`` and ``CLASS_COLUMNS``): what the selection may know there."""
    per_period = _per_period(history, freq)
    parts = [
        _classify(per_period, _period(o, freq), lookback).assign(origin=pd.Timestamp(o))
        for o in origins
    ]
    return pd.concat(parts, ignore_index=True)[["origin", *CLASS_COLUMNS]]
