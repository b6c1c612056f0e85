"""Lost sales: an estimate of demand on stock-out days, so training learns demand, not shortage.

On a stock-out day (the DC ended it with nothing on hand) sales are censored: customers wanted at
least what was sold, often more. Dropping those days from the targets keeps the censored values
out, but biases what is left: stock runs out when demand is high (promotions above all), so the
days that survive are the quieter ones, and the level and promotion uplift learnt from them are
low. ``impute_lost_sales`` puts an estimate of the day's demand in their place instead.

The estimate of stock-out day ``t`` of a series is the mean of the series' own sales on the
same weekday (the same period for weekly and monthly frames) in the ``NEIGHBOUR_SPAN`` weeks
before and after ``t`` that were not stock-out days, each rescaled from its price to ``t``'s
along a constant-elasticity demand curve, ``sold_j * (price_ratio_t / price_ratio_j) ** -e``.
Why this estimator:

* the same weekday, because the weekly profile is the strongest pattern within a series (the
  generated world's Sunday sells under a third of a Friday), and comparing like with like needs no
  model of it;
* a window centred on the day, so a local level follows trend and season without a model and a
  linear trend cancels; only rows of the given frame are read, so a training window cut at an
  origin never reads a day after it;
* the mean, not the median: a slow mover's days are mostly zeros, and their median is zero;
* the elasticity ``e`` is one per category, fitted on days that were promoted and not stocked
  out: the ``e`` at which their neighbours' non-promoted sales, scaled by ``price_ratio ** -e``,
  add up to what those days sold (a ratio of sums, robust to zeros). A promotion's non-price
  lift (a display) is absorbed in it. Without a ``price_ratio`` column every ratio is 1.

A partial stock-out day (some sold, then the shelf was empty) gets ``max(sold, estimate)``: its
demand was at least what sold. On the generated medium world the estimates add up to 0.972 of
the true demand of its stock-out days (what sold: 0.172; ``benchmarks/lost_sales.py``). A stock-out day with fewer than ``MIN_NEIGHBOURS`` usable
neighbours is left as it was and not marked (training leaves it out, as before). Every other
row is returned bit-identical, and ``is_imputed`` marks the estimated rows so that nothing
downstream takes them for observed sales: backtests score the frame's own actuals, never these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import period_index
from supplymesh.planning.frames import SERIES_KEYS

SAME_PHASE = {"D": 7, "W": 1, "M": 1}  # periods between two days of the same phase
NEIGHBOUR_SPAN = 4  # same-phase periods read on each side of a stock-out day
MIN_NEIGHBOURS = 2  # fewer usable neighbours than this and a day is not estimated
ELASTICITY_RANGE = (0.0, 8.0)
PRICE_RATIO_RANGE = (0.05, 5.0)
IMPUTED = "is_imputed"


def impute_lost_sales(frame: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """``frame`` (one row per series and period: sku, location_id, demand_date, units_sold,
    is_stockout; optionally price_ratio and category) with ``units_sold`` estimated on stock-out
    days and a boolean ``is_imputed`` column marking those rows."""
    units, imputed = estimate_lost_sales(frame, freq)
    out = frame.copy()
    out["units_sold"] = units
    out[IMPUTED] = imputed
    return out


def estimate_lost_sales(frame: pd.DataFrame, freq: str = "D") -> tuple[np.ndarray, np.ndarray]:
    """``impute_lost_sales`` as arrays in ``frame``'s row order, the frame left as it is: the
    units sold with the estimates in place (float), and which rows were estimated."""
    sold = pd.to_numeric(frame["units_sold"], errors="coerce").to_numpy(float)
    stockout = frame["is_stockout"].fillna(False).astype(bool).to_numpy()
    units = frame["units_sold"].to_numpy(dtype=float, copy=True)
    imputed = np.zeros(len(frame), dtype=bool)
    targets = np.flatnonzero(stockout & np.isfinite(sold))  # future rows have no sales: skipped
    if targets.size == 0:
        return units, imputed
    grid = _SeriesGrid(frame, freq)
    valid = np.isfinite(sold) & ~stockout
    ratio = _price_ratio(frame)
    lift = ratio ** -_elasticities(frame, grid, sold, valid, ratio)
    estimate = grid.neighbour_mean(targets, sold / lift, valid) * lift[targets]
    known = np.isfinite(estimate)
    rows = targets[known]
    units[rows] = np.maximum(sold[rows], estimate[known])
    imputed[rows] = True
    return units, imputed


@dataclass(frozen=True)
class TrainingTargets:
    """Which rows of a history are training targets, and their units when lost sales were
    estimated, as arrays: a fit picks its sample among ``positions`` and copies only the rows
    it fits (copying every target row of a large window first cost seconds per fit)."""

    positions: np.ndarray  # rows of the history usable as targets, in its order
    units: np.ndarray | None = None  # per history row: units with the estimates in place
    imputed: np.ndarray | None = None  # per history row: whether its units were estimated

    @classmethod
    def of(cls, history: pd.DataFrame, impute: bool = False, freq: str = "D") -> TrainingTargets:
        """The targets of ``history`` (see ``training_rows``)."""
        stockout = history["is_stockout"].astype(bool).to_numpy()
        observed = history["units_sold"].notna().to_numpy()
        if not impute:
            return cls(np.flatnonzero(observed & ~stockout))
        if IMPUTED in history.columns:
            imputed = history[IMPUTED].astype(bool).to_numpy()
            return cls(np.flatnonzero(observed & (~stockout | imputed)))
        units, imputed = estimate_lost_sales(history, freq)
        keep = np.isfinite(units) & (~stockout | imputed)
        return cls(np.flatnonzero(keep), units, imputed)

    def rows(self, history: pd.DataFrame, positions: np.ndarray | None = None) -> pd.DataFrame:
        """The rows at ``positions`` (default: every target), with the estimated units."""
        pick = self.positions if positions is None else positions
        rows = history.iloc[pick]
        if self.units is None or self.imputed is None:
            return rows
        rows = rows.copy(deep=False)  # the selection copied the rows already
        rows["units_sold"] = self.units[pick]
        rows[IMPUTED] = self.imputed[pick]
        return rows


class _SeriesGrid:
    """Finds the row of a series' period ``offset`` periods away, on any frame order."""

    def __init__(self, frame: pd.DataFrame, freq: str):
        self.step = SAME_PHASE[freq]
        series = frame.groupby(SERIES_KEYS, sort=False, observed=True).ngroup().to_numpy()
        period = period_index(frame["demand_date"], freq)
        self.key = (series.astype(np.int64) << 32) | (period - period.min())
        self.order = np.argsort(self.key, kind="stable")
        self.sorted = self.key[self.order]
        if np.any(self.sorted[1:] == self.sorted[:-1]):
            raise ValueError("lost-sales imputation needs one row per series and period")

    def row_at(self, rows: np.ndarray, offset: int) -> np.ndarray:
        """The frame row ``offset`` periods from each of ``rows`` in its series (-1: none)."""
        wanted = self.key[rows] + offset
        pos = np.minimum(np.searchsorted(self.sorted, wanted), len(self.sorted) - 1)
        return np.where(self.sorted[pos] == wanted, self.order[pos], -1)

    def neighbour_mean(self, rows: np.ndarray, values: np.ndarray, usable: np.ndarray):
        """Mean of ``values`` over the usable same-phase neighbours of each row (NaN when
        fewer than ``MIN_NEIGHBOURS``)."""
        total = np.zeros(rows.size)
        count = np.zeros(rows.size)
        for k in range(1, NEIGHBOUR_SPAN + 1):
            for offset in (-k * self.step, k * self.step):
                at = self.row_at(rows, offset)
                ok = at >= 0
                ok[ok] = usable[at[ok]]
                total[ok] += values[at[ok]]
                count[ok] += 1
        enough = count >= MIN_NEIGHBOURS
        return np.where(enough, total / np.where(enough, count, 1.0), np.nan)


def _price_ratio(frame: pd.DataFrame) -> np.ndarray:
    """Each row's price over the list price (1 where the frame carries none)."""
    if "price_ratio" not in frame.columns:
        return np.ones(len(frame))
    ratio = pd.to_numeric(frame["price_ratio"], errors="coerce").fillna(1.0).to_numpy(float)
    return np.clip(ratio, *PRICE_RATIO_RANGE)


def _elasticities(
    frame: pd.DataFrame,
    grid: _SeriesGrid,
    sold: np.ndarray,
    valid: np.ndarray,
    ratio: np.ndarray,
) -> np.ndarray:
    """Per row, its category's price elasticity (0 where nothing was discounted)."""
    discounted = np.flatnonzero(valid & (ratio < 1.0))
    if discounted.size == 0:
        return np.zeros(len(frame))
    baseline = grid.neighbour_mean(discounted, sold, valid & (ratio == 1.0))
    known = np.isfinite(baseline)
    rows, baseline = discounted[known], baseline[known]
    if "category" in frame.columns:
        category, names = pd.factorize(frame["category"].astype(str))
    else:
        category, names = np.zeros(len(frame), dtype=np.int64), [""]
    pooled = _fit_elasticity(sold[rows], baseline, ratio[rows])  # for categories never discounted
    per_category = np.full(len(names), pooled)
    for code in np.unique(category[rows]):
        mine = category[rows] == code
        per_category[code] = _fit_elasticity(sold[rows[mine]], baseline[mine], ratio[rows[mine]])
    return per_category[category]


def _fit_elasticity(sold: np.ndarray, baseline: np.ndarray, ratio: np.ndarray) -> float:
    """The ``e`` at which ``sum(baseline * ratio ** -e)`` equals ``sum(sold)`` (bisection: the
    sum grows with ``e`` when every ratio is below 1), clipped to ``ELASTICITY_RANGE``."""
    lo, hi = ELASTICITY_RANGE
    target = float(sold.sum())
    # a discount takes a few distinct values: raising each once and gathering gives every row
    # the same power as ``ratio ** -e`` (bit for bit) at a fraction of the 42 powers per row
    levels, codes = np.unique(ratio, return_inverse=True)

    def excess(e: float) -> float:
        return float((baseline * (levels**-e)[codes]).sum()) - target

    return bisect_increasing(excess, lo, hi)


def bisect_increasing(excess: Callable[[float], float], lo: float, hi: float) -> float:
    """The root of ``excess`` (increasing) in ``[lo, hi]`` by 40 halvings, or the bound it lies
    beyond."""
    if excess(lo) >= 0:
        return lo
    if excess(hi) <= 0:
        return hi
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excess(mid) < 0 else (lo, mid)
    return (lo + hi) / 2
