"""Demand forecasting: the held-out score, the published forecast and its error spread.

Three steps, each a plain function over the ``fct_demand_features`` mart:

* ``score_holdout`` refits the model as if today were ``as_of - horizon`` and scores it and the
  seasonal-naive baseline on the held-out horizon (stock-out days excluded from the actuals), so
  the published forecast always travels with evidence of how good it is.
* ``forecast_demand`` fits on all history up to ``as_of`` and predicts the next ``horizon`` days.
* ``forecast_error_std`` turns the holdout errors into the per-series daily error sigma the
  inventory policy sizes safety stock with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning._frames import (
    SERIES_KEYS,
    as_timestamp,
    require_columns,
    to_date_col,
    to_datetime_col,
)
from supplymesh.planning.baseline import seasonal_naive
from supplymesh.planning.metrics import ForecastMetrics, score_frame, series_scales, total_scale
from supplymesh.planning.model import INPUT_COLUMNS, DemandModel, ForecastParams, fit_demand_model

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


def _prepare(features: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The columns the model reads, dates normalised, plus the as-of date of the mart."""
    require_columns(features, [*INPUT_COLUMNS, "as_of_date"], "features")
    cols = [*INPUT_COLUMNS, *(["is_history"] if "is_history" in features.columns else [])]
    frame = features[cols].copy()
    frame["demand_date"] = to_datetime_col(frame["demand_date"])
    frame["is_stockout"] = frame["is_stockout"].fillna(False).astype(bool)
    for col in ("sku", "location_id"):
        frame[col] = frame[col].astype(str)
    as_of = as_timestamp(pd.to_datetime(features["as_of_date"]).max())
    history = frame["demand_date"] <= as_of
    if "is_history" in frame.columns:
        history &= frame["is_history"].fillna(False).astype(bool)
    frame["_history"] = history
    return frame, as_of


def score_holdout(
    features: pd.DataFrame, horizon: int = 28, params: ForecastParams | None = None
) -> HoldoutScore:
    """Refit with origin ``as_of - horizon`` and score model and seasonal naive on the next
    ``horizon`` days of history (MASE, WAPE, bias, P90 coverage; stock-out days not scored)."""
    frame, as_of = _prepare(features)
    origin = as_of - pd.Timedelta(days=horizon)
    history = frame[frame["_history"]]
    train = history[history["demand_date"] <= origin]
    test = history[history["demand_date"] > origin].copy()
    if train.empty or test.empty:
        raise ValueError(f"holdout needs history on both sides of {origin.date()}")
    started = time.perf_counter()
    model = fit_demand_model(train, params)
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


def forecast_demand(
    features: pd.DataFrame,
    horizon: int = 28,
    params: ForecastParams | None = None,
    model_version: str = "dev",
) -> tuple[pd.DataFrame, DemandModel]:
    """Fit on all history up to ``as_of`` and forecast days ``as_of + 1 .. as_of + horizon``.

    Returns the forecast (columns ``FORECAST_COLUMNS``, one row per future mart row) and the
    fitted model.
    """
    frame, as_of = _prepare(features)
    history = frame[frame["_history"]]
    future = frame[
        (frame["demand_date"] > as_of)
        & (frame["demand_date"] <= as_of + pd.Timedelta(days=horizon))
    ].copy()
    started = time.perf_counter()
    model = fit_demand_model(history, params, model_version)
    model.extra["fit_seconds"] = time.perf_counter() - started
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
            "model_version": str(model_version),
        }
    )
    out["forecast_origin"] = out["forecast_origin"].astype("object")
    out = out.sort_values(["sku", "location_id", "horizon_day"], kind="stable")
    return out[FORECAST_COLUMNS].reset_index(drop=True), model


def forecast_error_std(
    score: HoldoutScore, forecast: pd.DataFrame, min_points: int = MIN_ERROR_POINTS
) -> pd.DataFrame:
    """Per-series daily forecast-error sigma and mean daily P50 for the inventory policy.

    Sigma is the root mean squared P50 error over the series' scored holdout days (RMSE rather
    than the standard deviation, so a persistent bias widens the buffer instead of hiding in the
    mean). A series with fewer than ``min_points`` scored days (new, or mostly stocked out) gets
    the median error-to-forecast ratio of the well-measured series times its own mean forecast;
    with no well-measured series at all, the Poisson sigma ``sqrt(mean)``.
    """
    mean_fc = (
        forecast.groupby(SERIES_KEYS)["p50"].mean().rename("mean_daily_forecast").reset_index()
    )
    scored = score.predictions[
        ~score.predictions["is_stockout"] & score.predictions["actual"].notna()
    ].copy()
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


def attach_error_std(forecast: pd.DataFrame, error_std: pd.DataFrame) -> pd.DataFrame:
    """The forecast with each series' daily error sigma as ``error_std_daily`` (the published
    ``planning.demand_forecast`` product carries it, so consumers can size buffers from it)."""
    sigma = error_std[[*SERIES_KEYS, "demand_std_daily"]].rename(
        columns={"demand_std_daily": "error_std_daily"}
    )
    out = forecast.merge(sigma, on=SERIES_KEYS, how="left")
    out["error_std_daily"] = out["error_std_daily"].fillna(np.sqrt(out["p50"].clip(lower=0.0)))
    return out[PUBLISHED_FORECAST_COLUMNS]
