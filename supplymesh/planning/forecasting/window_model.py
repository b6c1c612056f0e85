"""Global models on level-scaled windows: the project's second family of global models.

Why: the feature model (``model``) is built for daily retail (calendar, prices, lags of one
series' own grain). On monthly and quarterly competition data it loses to AutoTheta; there a
model fitted across all series on *windows of their recent history*, each window divided by
its own level, learns the shapes the series share (trend, seasonal swing, mean reversion) from
thousands of windows where a local model sees one series. Such global autoregressions are
competitive with ETS and Theta on M3 and Tourism (Montero-Manso & Hyndman, "Principles and
algorithms for forecasting groups of time series: locality and globality", IJF 2021), and they
err differently from the local models, which is what makes their mean better than either
(``forecast_choice.selection`` chooses such means by evidence).

The model, per backtest origin or serving date:

* windows of ``L = max(2 seasons, horizon)`` periods followed by the ``horizon`` periods after
  them, from every series' history up to the origin (the most recent windows of each series,
  at most ``MAX_WINDOWS`` in all, so a large network costs a bounded fit);
* each window and its targets divided by the window's level: the mean of its last season (the
  whole window's mean when that is 0; 1 when the window is all zeros);
* ``window_linear``: one ridge regression from the L scaled inputs to the ``horizon`` scaled
  targets (direct multi-step: no forecast feeds the next);
* ``window_gbm``: one gradient-boosted tree model (scikit-learn's HistGradientBoosting, absolute
  error: MASE is an absolute error, and a squared loss let a few exploding windows steer it)
  from the L scaled inputs and the step ahead to that step's scaled target, on at most
  ``MAX_GBM_WINDOWS`` of the windows (a stable sample), fitted on one thread: with OpenMP's
  threads on two busy cores a fit took 15 times longer (measured on Tourism quarterly, load 6);
* a series' forecast is its last L periods, scaled the same way, through the model, times its
  level, never below 0.

A series shorter than L is padded at its start by repeating its first season. Stock-out periods are
bridged as the peers bridge them (``peers.demand_series``). No P90 of its own: the forecaster's
conformal quantiles give every chosen method one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from supplymesh.planning.forecasting.features import FeatureSpec, period_index
from supplymesh.planning.frames import SERIES_KEYS

WINDOW = "window_linear"
WINDOW_GBM = "window_gbm"
WINDOWS = (WINDOW, WINDOW_GBM)
MAX_WINDOWS = 200_000  # about 0.2 s of ridge fit per 10 inputs; memory ~ windows x (L + H) x 8 B
MAX_GBM_WINDOWS = 40_000  # x horizon rows: M3 monthly 720k rows, about 25 s on one idle core
RIDGE_ALPHA = 1.0  # on level-scaled windows (values near 1), a light shrinkage
GBM_PARAMS = {
    "loss": "absolute_error",
    "max_iter": 300,
    "learning_rate": 0.05,
    "max_leaf_nodes": 63,
    "random_state": 0,
}


def window_length(spec: FeatureSpec, horizon: int) -> int:
    """Two seasons of inputs, or the horizon if longer (a daily 28-day horizon sees 4 weeks)."""
    return max(2 * spec.season, horizon)


def _levels(windows: np.ndarray, season: int) -> np.ndarray:
    """Each window's level: the mean of its last season, else of the window, else 1."""
    level = windows[:, -season:].mean(axis=1)
    whole = windows.mean(axis=1)
    level = np.where(level > 0, level, whole)
    return np.where(level > 0, level, 1.0)


def _pad(y: np.ndarray, length: int, season: int) -> np.ndarray:
    """``y`` extended back to ``length`` periods by repeating its first season (its first value
    when it holds less than one season), so a short series keeps its seasonal shape."""
    if len(y) >= length:
        return y
    first = y[:season] if len(y) >= season else y[:1]
    reps = -(-(length - len(y)) // len(first))
    return np.concatenate([np.tile(first, reps)[-(length - len(y)) :], y])


def _training_windows(
    values: list[np.ndarray], length: int, horizon: int, per_series: int
) -> np.ndarray:
    """Every series' most recent ``per_series`` windows of ``length + horizon`` periods."""
    parts = [
        sliding_window_view(y, length + horizon)[-per_series:]
        for y in values
        if len(y) >= length + horizon
    ]
    return np.concatenate(parts) if parts else np.empty((0, length + horizon))


def _gbm(inputs: np.ndarray, targets: np.ndarray, recent: np.ndarray) -> np.ndarray:
    """``window_gbm``'s scaled forecast of ``recent`` (one row per series, every step)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    horizon = targets.shape[1]
    if len(inputs) > MAX_GBM_WINDOWS:
        keep = np.random.default_rng(0).choice(len(inputs), MAX_GBM_WINDOWS, replace=False)
        inputs, targets = inputs[np.sort(keep)], targets[np.sort(keep)]

    def with_steps(x: np.ndarray) -> np.ndarray:
        steps = np.tile(np.arange(horizon, dtype=float), len(x))[:, None]
        return np.hstack([np.repeat(x, horizon, axis=0), steps])

    with threadpool_limits(limits=1, user_api="openmp"):
        model = HistGradientBoostingRegressor(**GBM_PARAMS)
        model.fit(with_steps(inputs), targets.reshape(-1))
        return model.predict(with_steps(recent)).reshape(len(recent), horizon)


def forecast_windows(
    series: pd.DataFrame, horizon: int, spec: FeatureSpec, methods: tuple[str, ...] = WINDOWS
) -> pd.DataFrame:
    """The next ``horizon`` periods of every series in ``series`` (``peers.demand_series``'s
    frame: keys, ``ds`` period number, ``y``, sorted) by each of ``methods``: keys, ``ds`` and
    a column per method.

    Every series is fitted together; a network without a single full window (all series
    shorter than L + horizon) gets no forecast (an empty frame)."""
    from sklearn.linear_model import Ridge

    length = window_length(spec, horizon)
    groups = series.groupby(SERIES_KEYS, sort=False)
    values = [g.to_numpy(dtype=float) for _, g in groups["y"]]
    empty = pd.DataFrame(columns=[*SERIES_KEYS, "ds", *methods])
    if not values:
        return empty
    per_series = max(1, MAX_WINDOWS // len(values))
    windows = _training_windows(values, length, horizon, per_series)
    if not len(windows):
        return empty
    levels = _levels(windows[:, :length], spec.season)[:, None]
    inputs, targets = windows[:, :length] / levels, windows[:, length:] / levels
    recent = np.stack([_pad(y, length, spec.season)[-length:] for y in values])
    recent_levels = _levels(recent, spec.season)[:, None]
    scaled = recent / recent_levels
    last = groups["ds"].max().reset_index()
    out = last.loc[last.index.repeat(horizon), SERIES_KEYS].reset_index(drop=True)
    out["ds"] = np.repeat(last["ds"].to_numpy(), horizon) + np.tile(
        np.arange(1, horizon + 1), len(last)
    )
    for method in methods:
        if method == WINDOW:
            forecast = Ridge(alpha=RIDGE_ALPHA).fit(inputs, targets).predict(scaled)
        else:
            forecast = _gbm(inputs, targets, scaled)
        forecast = forecast.reshape(len(recent), horizon)  # one step: sklearn returns 1-D
        out[method] = np.clip(forecast * recent_levels, 0.0, None).reshape(-1)
    return out


def window_targets(
    series: pd.DataFrame, targets: pd.DataFrame, spec: FeatureSpec, methods: tuple[str, ...]
) -> pd.DataFrame:
    """Each of ``methods``' forecast of every ``targets`` row (sku, location_id, demand_date),
    fitted on ``series`` (``peers.demand_series``); NaN for a series they did not see."""
    wanted = targets[SERIES_KEYS].assign(ds=period_index(targets["demand_date"], spec.freq))
    last = series.groupby(SERIES_KEYS, sort=False)["ds"].max().rename("_last").reset_index()
    ahead = wanted.merge(last, on=SERIES_KEYS, how="left")
    steps = ahead["ds"] - ahead["_last"]
    horizon = int(steps.max()) if steps.notna().any() else 0
    if horizon < 1:
        return pd.DataFrame(np.nan, index=targets.index, columns=list(methods))
    fc = forecast_windows(series, horizon, spec, methods)
    merged = wanted.merge(fc, on=[*SERIES_KEYS, "ds"], how="left")
    return merged[list(methods)].set_axis(targets.index)
