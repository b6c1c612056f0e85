"""Demand forecasting: the held-out score, the published forecast and its error spread.

Plain functions over a demand frame (the ``fct_demand_features`` mart, or ``history_features``
of a user's file):

* ``prepare_frame`` normalises the frame once (dates, keys, holiday proximity, history flag).
* ``score_holdout`` refits the model as if today were ``as_of - horizon`` and scores it and the
  seasonal-naive baseline on the held-out horizon (stock-out days excluded from the actuals).
  The rolling-origin ``backtest`` generalises it to several origins and baselines.
* ``forecast_demand`` fits on all history up to ``as_of`` and predicts the next ``horizon``
  periods; ``forecast_with_model`` does the same with an already fitted (champion) model.
* ``forecast_error_std`` turns held-out errors into the per-series daily error sigma the
  inventory policy sizes safety stock with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.baseline import seasonal_naive
from supplymesh.planning.forecasting.features import (
    DAILY_MART,
    FeatureSpec,
    add_holiday_proximity,
)
from supplymesh.planning.forecasting.metrics import (
    ForecastMetrics,
    score_frame,
    series_scales,
    total_scale,
)
from supplymesh.planning.forecasting.model import DemandModel, ForecastParams, fit_demand_model
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import (
    SERIES_KEYS,
    as_timestamp,
    require_columns,
    to_date_col,
    to_datetime_col,
)

FORECAST_COLUMNS = [
    "sku",
    "location_id",
    "forecast_origin",
    "forecast_date",
    "horizon_day",
    "p50",
    "p90",
    "seasonal_naive",
    "model_version",
]
ERROR_STD_COLUMNS = ["sku", "location_id", "demand_std_daily", "mean_daily_forecast"]
PUBLISHED_FORECAST_COLUMNS = [*FORECAST_COLUMNS[:-1], "error_std_daily", "model_version"]
MIN_ERROR_POINTS = 14  # fewer scored holdout days than this and a series' own RMSE is too noisy


@dataclass
class HoldoutScore:
    """The model and the seasonal-naive baseline scored on one held-out horizon."""

    origin: pd.Timestamp
    horizon: int
    model: ForecastMetrics
    naive: ForecastMetrics
    # one row per held-out day: sku, location_id, demand_date, actual, is_stockout, p50, p90,
    # seasonal_naive (stock-out rows kept but flagged; they are not scored)
    predictions: pd.DataFrame
    n_train_rows: int
    n_fit_rows: int
    fit_seconds: float

    def as_metadata(self) -> dict[str, object]:
        """Flat figures for asset metadata and reports."""
        out: dict[str, object] = {
            "holdout_origin": self.origin.date().isoformat(),
            "horizon_days": self.horizon,
            "n_train_rows": self.n_train_rows,
            "n_fit_rows": self.n_fit_rows,
            "fit_seconds": round(self.fit_seconds, 2),
        }
        for name, metrics in (("model", self.model), ("naive", self.naive)):
            for key, value in metrics.as_dict().items():
                out[f"{name}_{key}"] = value
        return out


def prepare_frame(
    features: pd.DataFrame, spec: FeatureSpec = DAILY_MART
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The columns the model reads, dates normalised and a ``_history`` flag, plus the as-of
    date of the frame. Idempotent: a prepared frame passes through unchanged."""
    if "_history" in features.columns:
        return features, as_timestamp(pd.to_datetime(features["as_of_date"]).max())
    require_columns(features, [*spec.input_columns, "as_of_date"], "features")
    extra = [c for c in ("is_history", "supplier_id", "day_of_week") if c in features.columns]
    cols = list(dict.fromkeys([*spec.input_columns, *extra, "as_of_date"]))
    frame = features[cols].copy()
    frame["demand_date"] = to_datetime_col(frame["demand_date"])
    frame["is_stockout"] = frame["is_stockout"].fillna(False).astype(bool)
    for col in ("sku", "location_id", "category", "region"):
        frame[col] = frame[col].astype(str)
    as_of = as_timestamp(pd.to_datetime(features["as_of_date"]).max())
    history = frame["demand_date"] <= as_of
    if "is_history" in frame.columns:
        history &= frame["is_history"].fillna(False).astype(bool)
    frame["_history"] = history
    if {"unit_price", "price_ratio"} <= set(spec.price):
        # the model reads the *planned* price on every day: the realised average price exists
        # only for the past, so training on it and forecasting with the planned one is a
        # train/serve skew (the feature drift check flagged price_ratio on the mart's columns)
        planned = frame["list_price"] * (1.0 - frame["discount_pct"].fillna(0.0))
        frame["unit_price"] = planned
        frame["price_ratio"] = 1.0 - frame["discount_pct"].fillna(0.0)
    if "days_to_holiday" in spec.calendar:
        frame = add_holiday_proximity(frame)
    return frame, as_of


def prepared_in_series_order(
    features: pd.DataFrame, spec: FeatureSpec = DAILY_MART
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """``prepare_frame``'s frame sorted by series and date, with a fresh index. Every sample a
    fit draws (``max_train_rows``, a training round's search rows) is drawn by position with a
    fixed seed: in the order the mart happened to be stored, two materializations of the same
    world trained different models; in this order they train the same one."""
    frame, as_of = prepare_frame(features, spec)
    ordered = frame.sort_values([*SERIES_KEYS, "demand_date"], kind="stable", ignore_index=True)
    return ordered, as_of


def score_holdout(
    features: pd.DataFrame,
    horizon: int,
    params: ForecastParams | None = None,
    spec: FeatureSpec = DAILY_MART,
) -> HoldoutScore:
    """Refit with origin ``as_of - horizon`` and score model and seasonal naive on the next
    ``horizon`` days of history (MASE, WAPE, bias, P90 coverage; stock-out days not scored)."""
    frame, as_of = prepared_in_series_order(features, spec)
    origin = as_of - pd.Timedelta(days=horizon)
    history = add_origin_features(frame[frame["_history"]], spec, horizon, origin)
    train = history[history["demand_date"] <= origin]
    test = history[history["demand_date"] > origin].copy()
    if train.empty or test.empty:
        raise ValueError(f"holdout needs history on both sides of {origin.date()}")
    started = time.perf_counter()
    model = fit_demand_model(train, params, spec=spec)
    fit_seconds = time.perf_counter() - started
    test[["p50", "p90"]] = model.predict(test)
    test["seasonal_naive"] = seasonal_naive(train, test, origin)
    test["actual"] = test["units_sold"].astype(float)
    predictions = test[
        [*SERIES_KEYS, "demand_date", "actual", "is_stockout", "p50", "p90", "seasonal_naive"]
    ].reset_index(drop=True)
    scored = predictions[~predictions["is_stockout"] & predictions["actual"].notna()]
    scales, total = series_scales(train), total_scale(train)
    return HoldoutScore(
        origin=origin,
        horizon=horizon,
        model=score_frame(scored, scales, total, "p50", upper_col="p90"),
        naive=score_frame(scored, scales, total, "seasonal_naive"),
        predictions=predictions,
        n_train_rows=model.n_train_rows,
        n_fit_rows=model.n_fit_rows,
        fit_seconds=fit_seconds,
    )


def future_rows(frame: pd.DataFrame, as_of: pd.Timestamp, horizon: int) -> pd.DataFrame:
    """The rows of a prepared frame in the ``horizon`` days after ``as_of``."""
    return frame[
        (frame["demand_date"] > as_of)
        & (frame["demand_date"] <= as_of + pd.Timedelta(days=horizon))
    ].copy()


def forecast_with_model(model: DemandModel, features: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The next ``horizon`` days of every series predicted by a fitted model
    (columns ``FORECAST_COLUMNS``; ``model_version`` is the model's)."""
    frame, as_of = prepare_frame(features, model.spec)
    frame = add_origin_features(frame, model.spec, horizon, as_of)
    return forecast_from_origin(model, frame, as_of, horizon)


def forecast_from_origin(
    model: DemandModel, frame: pd.DataFrame, as_of: pd.Timestamp, horizon: int
) -> pd.DataFrame:
    """``forecast_with_model`` of a frame already prepared with its origin features at
    ``as_of`` (a caller that also reads those rows prepares them once)."""
    history = frame[frame["_history"]]
    future = future_rows(frame, as_of, horizon)
    preds = model.predict(future)
    out = pd.DataFrame(
        {
            "sku": future["sku"].to_numpy(),
            "location_id": future["location_id"].to_numpy(),
            "forecast_origin": as_of.date(),
            "forecast_date": to_date_col(future["demand_date"]).to_numpy(),
            "horizon_day": (future["demand_date"] - as_of).dt.days.astype("int64").to_numpy(),
            "p50": preds["p50"].to_numpy(dtype=float),
            "p90": preds["p90"].to_numpy(dtype=float),
            "seasonal_naive": seasonal_naive(history, future, as_of),
            "model_version": str(model.model_version),
        }
    )
    out["forecast_origin"] = out["forecast_origin"].astype("object")
    out = out.sort_values(["sku", "location_id", "horizon_day"], kind="stable")
    return out[FORECAST_COLUMNS].reset_index(drop=True)


def forecast_demand(
    features: pd.DataFrame,
    horizon: int,
    params: ForecastParams | None = None,
    model_version: str = "dev",
    spec: FeatureSpec = DAILY_MART,
) -> tuple[pd.DataFrame, DemandModel]:
    """Fit on all history up to ``as_of`` and forecast days ``as_of + 1 .. as_of + horizon``.

    Returns the forecast (columns ``FORECAST_COLUMNS``, one row per future mart row) and the
    fitted model.
    """
    frame, as_of = prepared_in_series_order(features, spec)
    frame = add_origin_features(frame, spec, horizon, as_of)
    started = time.perf_counter()
    model = fit_demand_model(frame[frame["_history"]], params, model_version, spec=spec)
    model.extra["fit_seconds"] = time.perf_counter() - started
    return forecast_from_origin(model, frame, as_of, horizon), model


def error_std_from_predictions(
    predictions: pd.DataFrame, forecast: pd.DataFrame, min_points: int = MIN_ERROR_POINTS
) -> pd.DataFrame:
    """Per-series daily forecast-error sigma and mean daily P50 for the inventory policy.

    Sigma is the root mean squared P50 error over the series' scored held-out days (RMSE rather
    than the standard deviation, so a persistent bias widens the buffer instead of hiding in the
    mean). A series with fewer than ``min_points`` scored days (new, or mostly stocked out) gets
    the median error-to-forecast ratio of the well-measured series times its own mean forecast;
    with no well-measured series at all, the Poisson sigma ``sqrt(mean)``.
    """
    mean_fc = (
        forecast.groupby(SERIES_KEYS)["p50"].mean().rename("mean_daily_forecast").reset_index()
    )
    scored = predictions[~predictions["is_stockout"] & predictions["actual"].notna()].copy()
    scored["sq_err"] = (scored["p50"] - scored["actual"]) ** 2
    per_series = (
        scored.groupby(SERIES_KEYS)
        .agg(mse=("sq_err", "mean"), n=("sq_err", "size"), mean_p50=("p50", "mean"))
        .reset_index()
    )
    per_series["rmse"] = np.sqrt(per_series["mse"])
    out = mean_fc.merge(per_series, on=SERIES_KEYS, how="left")
    good = out["n"].fillna(0) >= min_points
    ratios = (out.loc[good, "rmse"] / out.loc[good, "mean_p50"]).replace(np.inf, np.nan).dropna()
    if len(ratios):
        fallback = float(ratios.median()) * out["mean_daily_forecast"]
    else:
        fallback = np.sqrt(out["mean_daily_forecast"].clip(lower=0.0))
    out["demand_std_daily"] = np.where(good, out["rmse"], fallback).astype(float)
    out["mean_daily_forecast"] = out["mean_daily_forecast"].astype(float)
    return out[ERROR_STD_COLUMNS]


def forecast_error_std(
    score: HoldoutScore, forecast: pd.DataFrame, min_points: int = MIN_ERROR_POINTS
) -> pd.DataFrame:
    """``error_std_from_predictions`` over one holdout's predictions."""
    return error_std_from_predictions(score.predictions, forecast, min_points)


def attach_error_std(forecast: pd.DataFrame, error_std: pd.DataFrame) -> pd.DataFrame:
    """The forecast with each series' daily error sigma as ``error_std_daily`` (the published
    ``planning.demand_forecast`` product carries it, so consumers can size buffers from it)."""
    sigma = error_std[[*SERIES_KEYS, "demand_std_daily"]].rename(
        columns={"demand_std_daily": "error_std_daily"}
    )
    out = forecast.merge(sigma, on=SERIES_KEYS, how="left")
    out["error_std_daily"] = out["error_std_daily"].fillna(np.sqrt(out["p50"].clip(lower=0.0)))
    return out[PUBLISHED_FORECAST_COLUMNS]
