"""The global demand model: one gradient-boosted regressor over every SKU x DC series.

One model for all series (rather than one per series) lets sparse series borrow the weekly shape,
promotion uplift and holiday effects learned from the dense ones, and fits in seconds.

* Features are the mart's calendar, promotion/price and lag columns (all lags look back at least
  28 days, so every feature is known over the whole horizon), plus per-series target-encoded
  levels (mean demand, and mean demand per weekday) computed from the training rows only.
* ``location_id``, ``category``, ``region`` and ``sku`` enter as native categorical features when
  they have few enough levels for the histogram bins; a high-cardinality ``sku`` is left to the
  target-encoded levels instead.
* Stock-out days are dropped from the training targets: their sales are censored demand, and
  training on them teaches the model to forecast the shortage.
* P50 comes from the point model (Poisson loss by default: counts, a log link that makes weekday
  and promotion effects multiplicative, and never a negative forecast); P90 from a second model
  with quantile loss at 0.9. Holdout coverage is measured by ``forecast.score_holdout``.
* Above ``max_train_rows`` training rows a uniform random sample (fixed seed) is fitted: the
  shared shape needs far fewer rows than a large network has, and fit time grows linearly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from supplymesh.planning._frames import SERIES_KEYS

CALENDAR_FEATURES = [
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "week_of_year",
    "month",
    "is_holiday",
]
PRICE_FEATURES = ["is_promo", "discount_pct", "list_price", "unit_price", "price_ratio"]
LAG_FEATURES = [
    "lag_28",
    "lag_35",
    "lag_42",
    "lag_364",
    "rolling_mean_7_lag28",
    "rolling_mean_28_lag28",
    "rolling_std_28_lag28",
    "rolling_mean_91_lag28",
]
CATEGORICAL_FEATURES = ["sku", "location_id", "category", "region"]
LEVEL_FEATURES = ["series_level", "series_dow_level"]
INPUT_COLUMNS = [
    *SERIES_KEYS,
    "category",
    "region",
    "demand_date",
    "units_sold",
    "is_stockout",
    *CALENDAR_FEATURES,
    *PRICE_FEATURES,
    *LAG_FEATURES,
]
MAX_CATEGORIES = 250  # HistGradientBoosting bins categories; cardinality must stay <= max_bins


@dataclass(frozen=True)
class ForecastParams:
    """Hyper-parameters of the demand model (defaults measured on the synthetic test worlds)."""

    loss: str = "poisson"  # point model loss: "poisson" or "squared_error"
    max_iter: int = 120
    learning_rate: float = 0.12
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    p90_max_iter: int = 80
    max_train_rows: int = 600_000
    random_state: int = 0
    # OpenMP threads per fit (None = all cores). One by default: on 2 cores shared with other
    # work (dbt, Dagster, the webserver) OpenMP's spinning barriers made 2-thread fits 3-20x
    # slower than one thread, while on an idle machine two threads save well under half.
    n_threads: int | None = 1


@dataclass
class DemandModel:
    """A fitted P50/P90 model pair and the encodings its features need at prediction time."""

    params: ForecastParams
    model_version: str
    p50_model: HistGradientBoostingRegressor
    p90_model: HistGradientBoostingRegressor
    categories: dict[str, list[str]]
    series_levels: pd.DataFrame
    dow_levels: pd.DataFrame
    feature_names: list[str]
    n_train_rows: int
    n_fit_rows: int
    extra: dict[str, object] = field(default_factory=dict)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """P50 and P90 per row of ``frame`` (same index); P90 never below P50, neither below 0."""
        x = _design_matrix(frame, self)
        with threadpool_limits(self.params.n_threads, user_api="openmp"):
            p50 = np.clip(self.p50_model.predict(x), 0.0, None)
            p90 = np.maximum(self.p90_model.predict(x), p50)
        return pd.DataFrame({"p50": p50, "p90": p90}, index=frame.index)


def training_rows(history: pd.DataFrame) -> pd.DataFrame:
    """History rows usable as targets: observed sales on days not stocked out."""
    keep = history["units_sold"].notna() & ~history["is_stockout"].astype(bool)
    return history.loc[keep]


def _levels(train: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    series = (
        train.groupby(SERIES_KEYS, observed=True)["units_sold"]
        .mean()
        .rename("series_level")
        .reset_index()
    )
    dow = (
        train.groupby([*SERIES_KEYS, "day_of_week"], observed=True)["units_sold"]
        .mean()
        .rename("series_dow_level")
        .reset_index()
    )
    return series, dow


def _design_matrix(frame: pd.DataFrame, model: DemandModel) -> pd.DataFrame:
    x = frame[[*SERIES_KEYS, "day_of_week"]].copy()
    x = x.merge(model.series_levels, on=SERIES_KEYS, how="left").merge(
        model.dow_levels, on=[*SERIES_KEYS, "day_of_week"], how="left"
    )
    x.index = frame.index
    out = pd.DataFrame(index=frame.index)
    for col in model.categories:
        out[col] = pd.Categorical(frame[col].astype(str), categories=model.categories[col])
    for col in [*CALENDAR_FEATURES, *PRICE_FEATURES, *LAG_FEATURES]:
        out[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in LEVEL_FEATURES:
        out[col] = x[col].astype(float)
    return out[model.feature_names]


def _regressor(
    params: ForecastParams, loss: str, max_iter: int, **extra
) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss=loss,
        learning_rate=params.learning_rate,
        max_iter=max_iter,
        max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=params.min_samples_leaf,
        l2_regularization=params.l2_regularization,
        categorical_features="from_dtype",
        early_stopping=False,
        random_state=params.random_state,
        **extra,
    )


def fit_demand_model(
    history: pd.DataFrame, params: ForecastParams | None = None, model_version: str = "dev"
) -> DemandModel:
    """Fit the P50 and P90 models on ``history`` (rows already limited to the training window)."""
    params = params or ForecastParams()
    train = training_rows(history)
    if train.empty:
        raise ValueError("no training rows: every history row is missing or a stock-out day")
    n_train = len(train)
    if n_train > params.max_train_rows:
        rng = np.random.default_rng(params.random_state)
        pick = np.sort(rng.choice(n_train, size=params.max_train_rows, replace=False))
        train = train.iloc[pick]
    categories = {
        col: sorted(train[col].astype(str).unique())
        for col in CATEGORICAL_FEATURES
        if train[col].nunique() <= MAX_CATEGORIES
    }
    series_levels, dow_levels = _levels(train)
    # a lag with no value in the training window (lag_364 on < 1 year of history) carries no
    # information, and HistGradientBoosting cannot bin an all-missing column: leave it out
    numeric = [
        c for c in (*CALENDAR_FEATURES, *PRICE_FEATURES, *LAG_FEATURES) if train[c].notna().any()
    ]
    feature_names = [*categories, *numeric, *LEVEL_FEATURES]
    model = DemandModel(
        params=params,
        model_version=model_version,
        p50_model=_regressor(params, params.loss, params.max_iter),
        p90_model=_regressor(params, "quantile", params.p90_max_iter, quantile=0.9),
        categories=categories,
        series_levels=series_levels,
        dow_levels=dow_levels,
        feature_names=feature_names,
        n_train_rows=n_train,
        n_fit_rows=len(train),
    )
    x = _design_matrix(train, model)
    y = train["units_sold"].to_numpy(dtype=float).clip(0.0, None)
    with threadpool_limits(params.n_threads, user_api="openmp"):
        model.p50_model.fit(x, y)
        model.p90_model.fit(x, y)
    return model
