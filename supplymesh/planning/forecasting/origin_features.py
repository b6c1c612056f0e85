"""Recent demand as seen from a forecast origin: built once per frame, read at any origin.

The mart's lags look back from the *target* day (28 days and more, so they exist over the whole
horizon), which hides the most recent four weeks from every forecast. The origin features look
back from the *origin* instead: ``step`` (periods ahead), the mean of the last ``w`` periods up to
the origin (stock-out periods left out) and ``last_season_ratio``.

A row after the origin is forecast from it; every other row (training history) gets a step drawn
in ``1..horizon``, so the model learns how much the recent level says at each distance. The draw
is a hash of the row's series, period and seed, not of its place in the frame, so a training row
carries the same features in every window that holds it: ``OriginFeatures`` builds the cumulative
sums and the training rows of a frame once, and the search, every backtest origin, the held-out
window and the final fit slice them, computing only the forecast rows of each origin anew.
Only periods at or before a row's origin are read, so nothing leaks from the future.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import (
    RECENT_WINDOWS,
    FeatureSpec,
    period_index,
    period_start,
)
from supplymesh.planning.frames import SERIES_KEYS

SEASON_PERIODS = {"D": 364, "W": 52, "M": 12, "Q": 4}  # one year back, in whole weeks for days
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def read_back_periods(spec: FeatureSpec) -> int:
    """How many periods before an origin its forecast rows read: the last-season ratio's longest
    window, one season back (the recent means and the seasonal naive read less). A forecast of
    a frame cut to these periods before its origin equals the forecast of the whole history."""
    return SEASON_PERIODS[spec.freq] + max(RECENT_WINDOWS[spec.freq])


class OriginFeatures:
    """The origin features of one demand frame (one row per series and period, a dense grid),
    ready for any origin: ``training`` holds every row with its drawn step, ``at`` and ``split``
    add the forecast rows of an origin."""

    def __init__(self, frame: pd.DataFrame, spec: FeatureSpec, horizon: int, seed: int = 0):
        self.spec, self.horizon, self.seed = spec, max(int(horizon), 1), seed
        keys = frame[[*SERIES_KEYS, "demand_date"]].reset_index(drop=True)
        order = keys.sort_values([*SERIES_KEYS, "demand_date"], kind="stable").index.to_numpy()
        period = period_index(keys["demand_date"], spec.freq)[order]
        sku = frame["sku"].astype(str).to_numpy()[order]
        loc = frame["location_id"].astype(str).to_numpy()[order]
        new_series = np.r_[True, (sku[1:] != sku[:-1]) | (loc[1:] != loc[:-1])]
        start = np.flatnonzero(new_series)
        series_no = np.cumsum(new_series) - 1
        pos = np.arange(len(order)) - start[series_no]
        if np.any(period - (period[start][series_no] + pos) != 0):
            raise ValueError("origin features need one row per series and period (a dense grid)")
        sold = pd.to_numeric(frame["units_sold"], errors="coerce").to_numpy(float)[order]
        stockout = frame["is_stockout"].fillna(False).astype(bool).to_numpy()[order]
        valid = np.isfinite(sold) & ~stockout
        self._csum = np.concatenate([[0.0], np.cumsum(np.where(valid, sold, 0.0))])
        self._ccount = np.concatenate([[0.0], np.cumsum(valid.astype(float))])
        series_hash = pd.util.hash_array(np.char.add(np.char.add(sku[start], "\x1f"), loc[start]))
        draw = _drawn_steps(series_hash[series_no], period, seed, self.horizon)
        # per-row arrays back in the frame's own order (the csum arrays are by sorted position)
        self.period = _unsort(period, order)
        self._pos = _unsort(pos, order)
        self._first = _unsort(start[series_no], order)
        self.training = frame.assign(**self._features(np.arange(len(order)), _unsort(draw, order)))

    def _features(self, rows: np.ndarray, step: np.ndarray) -> dict[str, np.ndarray]:
        """The origin columns of ``rows`` (positions in the frame) forecast ``step`` ahead."""
        pos, first = self._pos[rows], self._first[rows]
        origin_pos = pos - step  # position of the origin period within its series (may be < 0)
        out = {"step": step.astype(float)}
        for w in RECENT_WINDOWS[self.spec.freq]:
            hi = np.clip(origin_pos + 1, 0, None)
            lo = np.clip(origin_pos + 1 - w, 0, None)
            total = self._csum[first + hi] - self._csum[first + lo]
            count = self._ccount[first + hi] - self._ccount[first + lo]
            out[f"recent_mean_{w}"] = np.where(
                count > 0, total / np.where(count > 0, count, 1), np.nan
            )
        out["last_season_ratio"] = self._last_season_ratio(first, pos, origin_pos)
        return out

    def _window_mean(self, first: np.ndarray, end_pos: np.ndarray, width: int) -> np.ndarray:
        """Mean of the valid values in positions ``end_pos - width + 1 .. end_pos`` of each
        series (NaN where the window starts before the series or holds no valid value)."""
        hi, lo = end_pos + 1, end_pos + 1 - width
        hi_c, lo_c = np.clip(hi, 0, None), np.clip(lo, 0, None)
        total = self._csum[first + hi_c] - self._csum[first + lo_c]
        count = self._ccount[first + hi_c] - self._ccount[first + lo_c]
        ok = (lo >= 0) & (count > 0)
        return np.where(ok, total / np.where(ok, count, 1), np.nan)

    def _last_season_ratio(
        self, first: np.ndarray, pos: np.ndarray, origin_pos: np.ndarray
    ) -> np.ndarray:
        """How demand moved a year earlier from the origin's equivalent to the target's: the mean
        of a week (or the shortest recent window) around the target one year back, over the mean
        of the longest recent window ending at the origin one year back. A seasonal slope that
        carries to any year's level, unlike day-of-year features that memorise one year."""
        year = SEASON_PERIODS[self.spec.freq]
        windows = RECENT_WINDOWS[self.spec.freq]
        short, long_ = windows[0], windows[-1]
        half = short // 2
        target = self._window_mean(first, pos - year + half, short)
        base = self._window_mean(first, origin_pos - year, long_)
        known = (pos - year + half) <= origin_pos  # never read past the origin
        ok = known & np.isfinite(target) & np.isfinite(base) & (base > 0)
        return np.where(ok, target / np.where(ok, base, 1.0), np.nan)

    def origin_period(self, origin: pd.Timestamp) -> int:
        return int(period_index(pd.Series([origin]), self.spec.freq)[0])

    def at(self, origin: pd.Timestamp | None) -> pd.DataFrame:
        """Every row: those after ``origin`` forecast from it, the others as training rows."""
        if origin is None:
            return self.training
        ahead = np.flatnonzero(self.period > self.origin_period(origin))
        out = self.training.copy()
        step = self.period[ahead] - self.origin_period(origin)
        for col, values in self._features(ahead, step).items():
            out.iloc[ahead, out.columns.get_loc(col)] = values
        return out

    def until(self, origin: pd.Timestamp) -> np.ndarray:
        """Which training rows are at or before ``origin`` (``split``'s training rows)."""
        return self.period <= self.origin_period(origin)

    def split(self, origin: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(training rows up to ``origin``, the ``horizon`` periods after it forecast from it)."""
        op = self.origin_period(origin)
        rows = np.flatnonzero((self.period > op) & (self.period <= op + self.horizon))
        test = self.training.iloc[rows].copy()
        for col, values in self._features(rows, self.period[rows] - op).items():
            test[col] = values
        return self.training[self.until(origin)], test


def add_origin_features(
    frame: pd.DataFrame,
    spec: FeatureSpec,
    horizon: int,
    origin: pd.Timestamp | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """``frame`` with the origin features: rows after ``origin`` forecast from it, every other
    row a training row with its drawn step in ``1..horizon`` (fixed ``seed``). ``frame`` holds
    sku, location_id, demand_date, units_sold, is_stockout, one row per series and period."""
    return OriginFeatures(frame, spec, horizon, seed).at(origin)


def _drawn_steps(
    series_hash: np.ndarray, period: np.ndarray, seed: int, horizon: int
) -> np.ndarray:
    """A step in ``1..horizon`` per row, a hash (splitmix64) of its series, period and seed."""
    with np.errstate(over="ignore"):
        z = series_hash ^ (period.astype(np.uint64) * _MIX[0]) ^ np.uint64(seed) * _MIX[1]
        z = (z ^ (z >> np.uint64(30))) * _MIX[1]
        z = (z ^ (z >> np.uint64(27))) * _MIX[2]
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(horizon)).astype(np.int64) + 1


def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``values`` given in sorted order, back in frame order (``order[i]`` = frame row of i)."""
    out = np.empty_like(values)
    out[order] = values
    return out


def backtest_origins(
    frame: pd.DataFrame,
    as_of: pd.Timestamp,
    horizon: int,
    n_origins: int,
    step: int | None,
    freq: str,
) -> list[pd.Timestamp]:
    """The origins, oldest first: the latest ``horizon`` periods before ``as_of``, then every
    ``step`` periods back (origins with no history before them are dropped)."""
    step = step or horizon
    last = int(period_index(pd.Series([as_of]), freq)[0])
    first = int(period_index(frame["demand_date"], freq).min())
    wanted = [last - horizon - k * step for k in range(n_origins)]
    kept = sorted(p for p in wanted if p > first)
    return list(period_start(np.array(kept, dtype=np.int64), freq))


def origins_and_features(
    history: pd.DataFrame,
    as_of: pd.Timestamp,
    spec: FeatureSpec,
    horizon: int,
    n_origins: int,
    step: int | None,
    given: OriginFeatures | None = None,
) -> tuple[list[pd.Timestamp], OriginFeatures]:
    """A backtest's origins on ``history`` and its origin features (``given`` ones are checked
    to be of this history and horizon)."""
    origins = backtest_origins(history, as_of, horizon, n_origins, step, spec.freq)
    if not origins:
        raise ValueError("history is too short for a single backtest origin")
    index = given or OriginFeatures(history, spec, horizon)
    if index.horizon != horizon or len(index.training) != len(history):
        raise ValueError("origin_features were built on another history or horizon")
    return origins, index
