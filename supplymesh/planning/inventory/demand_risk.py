"""How wrong the forecast is over a protection period, measured on the backtest.

A buffer protects against the forecast error summed over the ``P`` days an order must cover.
Three facts of real forecast errors shape how that is measured here:

* Daily errors are correlated (a level that is off stays off for days), so ``P`` days err more
  than ``sqrt(P)`` independent days. Each series keeps its own daily RMSE ``sigma_1``; its class
  supplies an *inflation factor* ``k`` (the mean over its series of ``E[S_P^2] / (P sigma_1^2)``,
  ``S_P`` the P-day error sum), and ``sigma_P = k sqrt(P) sigma_1``. A per-series estimate of
  ``S_P`` alone would be far too noisy; a ratio of class totals would be set by the largest
  series, while service is counted per series and cycle.
* A forecast ages between its origin and the review that uses it, and the protection period may
  run past the forecast's last day (the rest is extrapolated at the mean of its remaining days).
  Errors are therefore measured for the forecast *as it is used*: stretches starting ``offset``
  days after the origin, each within one review period. A plan made on a fresh forecast uses
  offset 0.
* Errors on days no sigma was fitted on are wider, and skewed towards under-forecasts (demand
  levels drift). ``calibrated_z`` standardises each window's error sums by a sigma estimated on
  the *other* windows and takes the empirical quantile at the target level instead of the
  normal z: the tail a plan actually meets (wider than normal at some levels and classes,
  narrower at others; flooring it at the normal z was measured to over-serve by 1-3 points).

``ErrorPanel`` holds the backtest as arrays (window x series x day) once, so every subset of
windows and every offset is cheap; only days up to a cut-off date are ever read, so a
simulation can estimate with exactly what was known at each review.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS

MIN_SIGMA_POINTS = 14  # fewer backtest days than this and a series borrows its class's ratio
MIN_CALIBRATION_POINTS = 200  # fewer standardized errors than this and the normal z is used
EXTRA_DAYS = 60  # actual days kept beyond each window, for protection periods that outrun it


@dataclass
class ErrorPanel:
    """Backtest forecasts and actuals as arrays: ``p50[w, i, h]`` for window ``w`` (origin
    ``origins[w]``), series ``i`` (``keys`` order) and day ``h`` after the origin; ``actual``
    likewise over ``horizon + EXTRA_DAYS`` days (NaN where unknown)."""

    keys: pd.DataFrame
    origins: list[pd.Timestamp]
    horizon: int
    p50: np.ndarray
    actual: np.ndarray

    @property
    def n_series(self) -> int:
        return len(self.keys)


def error_panel(predictions: pd.DataFrame, keys: pd.DataFrame | None = None) -> ErrorPanel:
    """Arrange backtest predictions (origin, sku, location_id, demand_date, step, actual, p50)
    as an ``ErrorPanel``; actuals of later windows extend each window's actuals."""
    pred = predictions.copy()
    pred["origin"] = pd.to_datetime(pred["origin"])
    pred["demand_date"] = pd.to_datetime(pred["demand_date"])
    keys = (keys if keys is not None else pred[SERIES_KEYS].drop_duplicates())[SERIES_KEYS]
    keys = keys.astype(str).reset_index(drop=True)
    index = pd.MultiIndex.from_frame(keys)
    origins = sorted(pred["origin"].unique())
    horizon = int(pred["step"].max())
    first = min(origins) + pd.Timedelta(days=1)
    last = pred["demand_date"].max()
    days = pd.date_range(first, last)
    actual_wide = (
        pred.drop_duplicates([*SERIES_KEYS, "demand_date"])
        .pivot_table(index=SERIES_KEYS, columns="demand_date", values="actual")
        .reindex(index=index, columns=days)
        .to_numpy(float)
    )
    width = horizon + EXTRA_DAYS
    p50 = np.full((len(origins), len(keys), horizon), np.nan)
    actual = np.full((len(origins), len(keys), width), np.nan)
    for w, origin in enumerate(origins):
        part = pred[pred["origin"] == origin]
        wide = part.pivot_table(index=SERIES_KEYS, columns="step", values="p50")
        wide = wide.reindex(index=index, columns=range(1, horizon + 1))
        p50[w] = wide.to_numpy(float)
        start = (pd.Timestamp(origin) - first).days + 1
        stop = min(start + width, len(days))
        actual[w, :, : stop - start] = actual_wide[:, start:stop]
    return ErrorPanel(keys, [pd.Timestamp(o) for o in origins], horizon, p50, actual)


def _stretch_errors(
    panel: ErrorPanel,
    window: int,
    days: np.ndarray,
    offset: int,
    starts: int,
    cutoff: pd.Timestamp | None,
) -> np.ndarray:
    """``actual - forecast`` summed over ``days[i]`` days from each start in
    ``offset .. offset + starts - 1`` of one window: (n_series, starts), NaN where unknown."""
    h = panel.horizon
    origin = panel.origins[window]
    known = panel.actual.shape[2]
    if cutoff is not None:
        known = min(known, max((pd.Timestamp(cutoff) - origin).days, 0))
    p50 = panel.p50[window]
    act = panel.actual[window, :, :known]
    out = np.full((panel.n_series, starts), np.nan)
    csum_p = np.concatenate([np.zeros((panel.n_series, 1)), np.nancumsum(p50, axis=1)], axis=1)
    act_filled = np.where(np.isfinite(act), act, 0.0)
    csum_a = np.concatenate([np.zeros((panel.n_series, 1)), np.cumsum(act_filled, axis=1)], axis=1)
    csum_n = np.concatenate(
        [np.zeros((panel.n_series, 1)), np.cumsum(np.isfinite(act), axis=1)], axis=1
    )
    rows = np.arange(panel.n_series)
    length = np.maximum(np.rint(days).astype(int), 1)
    for j in range(starts):
        s = offset + j
        if s >= h or s >= known:
            break
        end = s + length
        inside = np.minimum(end, h)
        fc = csum_p[rows, inside] - csum_p[:, s]
        rest_mean = (csum_p[:, h] - csum_p[:, s]) / (h - s)
        fc = fc + np.maximum(end - h, 0) * rest_mean
        end_known = np.minimum(end, known)
        total = csum_a[rows, end_known] - csum_a[:, s]
        count = csum_n[rows, end_known] - csum_n[:, s]
        ok = (end <= known) & (count == length)
        out[:, j] = np.where(ok, total - fc, np.nan)
    return out


@dataclass
class WindowStats:
    """Per window and series: daily squared errors and stretch error sums (for any subset)."""

    sse: np.ndarray  # (W, N) sum of squared daily errors
    n: np.ndarray  # (W, N) days scored
    p50_sum: np.ndarray  # (W, N) sum of daily P50 over scored days
    stretches: np.ndarray  # (W, N, starts) P-day error sums (actual - forecast)


def window_stats(
    panel: ErrorPanel, days: np.ndarray, offset: int, starts: int, cutoff: pd.Timestamp | None
) -> WindowStats:
    """Statistics of every window, reading no actual after ``cutoff``."""
    w_count = len(panel.origins)
    sse = np.zeros((w_count, panel.n_series))
    n = np.zeros_like(sse)
    p50_sum = np.zeros_like(sse)
    stretches = np.full((w_count, panel.n_series, starts), np.nan)
    h = panel.horizon
    for w, origin in enumerate(panel.origins):
        known = h if cutoff is None else min(h, max((pd.Timestamp(cutoff) - origin).days, 0))
        if known <= 0:
            continue
        err = panel.actual[w, :, :known] - panel.p50[w, :, :known]
        ok = np.isfinite(err)
        sse[w] = np.where(ok, err**2, 0.0).sum(axis=1)
        n[w] = ok.sum(axis=1)
        p50_sum[w] = np.where(ok, panel.p50[w, :, :known], 0.0).sum(axis=1)
        stretches[w] = _stretch_errors(panel, w, days, offset, starts, cutoff)
    return WindowStats(sse, n, p50_sum, stretches)


def _sigma(
    stats: WindowStats, pick: np.ndarray, days: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily sigma, inflation and protection sigma per series from the windows in ``pick``."""
    sse, n = stats.sse[pick].sum(axis=0), stats.n[pick].sum(axis=0)
    mean_p50 = stats.p50_sum[pick].sum(axis=0) / np.where(n > 0, n, np.nan)
    sigma1 = np.sqrt(sse / np.where(n > 0, n, np.nan))
    good = n >= MIN_SIGMA_POINTS
    ratio = np.where(good & (mean_p50 > 0), sigma1 / np.where(mean_p50 > 0, mean_p50, 1), np.nan)
    frame = pd.DataFrame({"cls": classes, "ratio": ratio})
    class_ratio = frame.groupby("cls")["ratio"].transform("median").to_numpy()
    known = ratio[np.isfinite(ratio)]
    class_ratio = np.where(
        np.isfinite(class_ratio), class_ratio, np.median(known) if known.size else np.nan
    )
    fallback = np.nan_to_num(class_ratio, nan=1.0) * np.nan_to_num(mean_p50, nan=0.0)
    sigma1 = np.where(good, sigma1, fallback)
    sigma1 = np.nan_to_num(sigma1, nan=0.0)
    sq = stats.stretches[pick] ** 2
    finite = np.isfinite(sq)
    count = finite.sum(axis=(0, 2))
    mean_sq = np.where(
        count > 0, np.where(finite, sq, 0.0).sum(axis=(0, 2)) / np.maximum(count, 1), np.nan
    )
    denom = np.maximum(days, 1.0) * sigma1**2
    own = np.where(
        (denom > 0) & np.isfinite(mean_sq), mean_sq / np.where(denom > 0, denom, 1), np.nan
    )
    k2 = pd.Series(own).groupby(classes).transform("mean").to_numpy()
    overall = float(np.mean(own[np.isfinite(own)])) if np.isfinite(own).any() else 1.0
    k2 = np.where(np.isfinite(k2), k2, overall)
    inflation = np.sqrt(np.maximum(k2, 0.0))
    return sigma1, inflation, inflation * np.sqrt(np.maximum(days, 1.0)) * sigma1


@dataclass
class DemandRisk:
    """Per series (panel key order): sigma_1, inflation, sigma_P and the calibrated z."""

    keys: pd.DataFrame
    sigma_daily: np.ndarray
    inflation: np.ndarray
    sigma_protection: np.ndarray
    demand_z: np.ndarray

    def frame(self) -> pd.DataFrame:
        return self.keys.assign(
            sigma_daily=self.sigma_daily,
            inflation=self.inflation,
            sigma_protection=self.sigma_protection,
            demand_z=self.demand_z,
        )


def demand_risk(
    panel: ErrorPanel,
    days: np.ndarray,
    classes: np.ndarray,
    levels: np.ndarray,
    offset: int = 0,
    starts: int = 7,
    cutoff: pd.Timestamp | None = None,
) -> DemandRisk:
    """Protection sigma and calibrated z per series, from the windows before ``cutoff`` (all
    windows when None), for a forecast ``offset`` days old. ``days``, ``classes`` and
    ``levels`` (service targets) align with the panel's series."""
    days = np.asarray(days, dtype=float)
    classes = np.asarray(classes).astype(str)
    levels = np.asarray(levels, dtype=float)
    normal = np.array([NormalDist().inv_cdf(float(v)) for v in levels])
    usable = np.array(
        [cutoff is None or o < pd.Timestamp(cutoff) for o in panel.origins], dtype=bool
    )
    stats = window_stats(panel, days, offset, starts, cutoff)
    if not usable.any():
        zeros = np.zeros(len(days))
        return DemandRisk(panel.keys, zeros, np.ones(len(days)), zeros, normal)
    sigma1, inflation, sigma_p = _sigma(stats, usable, days, classes)
    z = calibrated_z(stats, usable, days, classes, levels, normal)
    return DemandRisk(panel.keys, sigma1, inflation, sigma_p, z)


def calibrated_z(
    stats: WindowStats,
    usable: np.ndarray,
    days: np.ndarray,
    classes: np.ndarray,
    levels: np.ndarray,
    normal: np.ndarray,
) -> np.ndarray:
    """Empirical quantile, per class (pooled when a class has too few), of each window's error
    sums over a sigma estimated without that window; the normal z when too few exist."""
    windows = np.flatnonzero(usable)
    if windows.size < 2:
        return normal
    zs, labels = [], []
    for w in windows:
        others = usable.copy()
        others[w] = False
        _, _, sigma_p = _sigma(stats, others, days, classes)
        sums = stats.stretches[w]
        ok = np.isfinite(sums) & (sigma_p[:, None] > 0)
        zs.append((sums / np.where(sigma_p > 0, sigma_p, 1.0)[:, None])[ok])
        labels.append(np.broadcast_to(classes[:, None], sums.shape)[ok])
    z_all = np.concatenate(zs)
    lab = np.concatenate(labels)
    if z_all.size < MIN_CALIBRATION_POINTS:
        return normal
    out = np.empty(len(levels))
    by_class = {c: z_all[lab == c] for c in np.unique(lab)}
    for i, (c, level) in enumerate(zip(classes, levels, strict=True)):
        sample = by_class.get(c, np.array([]))
        sample = sample if sample.size >= MIN_CALIBRATION_POINTS else z_all
        out[i] = np.quantile(sample, level)
    return out
