"""The global demand model: one gradient-boosted regressor over every SKU x DC series.

One model for all series (rather than one per series) lets sparse series borrow the weekly shape,
promotion uplift and holiday effects learned from the dense ones, and fits in seconds.

* Features are named by a ``FeatureSpec`` (the mart's calendar, holiday, promotion/price and lag
  columns by default; every lag looks back at least the horizon, so every feature is known over
  the whole horizon), plus per-series target-encoded levels (mean demand, and mean demand per
  weekday) computed from the training rows only.
* ``location_id``, ``category``, ``region`` and ``sku`` enter as native categorical features when
  they have few enough levels for the histogram bins; a high-cardinality ``sku`` is left to the
  target-encoded levels instead.
* Stock-out days are dropped from the training targets: their sales are censored demand, and
  training on them teaches the model to forecast the shortage. With ``impute_lost_sales`` they
  are kept instead, with an estimate of their demand (``lost_sales``) in place of their sales.
* P50 comes from the point model (Poisson loss by default: counts, a log link that makes weekday
  and promotion effects multiplicative, and never a negative forecast); P90 from a second model
  with quantile loss at 0.9 (on a sample of the P50's rows: ``p90_max_train_rows``), widened by
  ``p90_scale`` (calibrated on backtest coverage).
* Above ``max_train_rows`` training rows a uniform random sample (fixed seed) is fitted: the
  shared shape needs far fewer rows than a large network has, and fit time grows linearly.
  The sample is drawn by position, so the rows' order decides it: the training round hands
  them in series and date order (``forecast.prepared_in_series_order``), never as stored.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from supplymesh.planning.fit_workers import INLINE, FitWorkers
from supplymesh.planning.forecasting.features import DAILY_MART, FeatureSpec
from supplymesh.planning.forecasting.lost_sales import TrainingTargets
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import SERIES_KEYS

LEVEL_FEATURES = ["series_level", "series_dow_level"]
MIN_BASE = 0.05  # units per period: a floor so a series with no recent sales keeps a level
MAX_CATEGORIES = 250  # HistGradientBoosting bins categories; cardinality must stay <= max_bins
TUNABLE = ("learning_rate", "max_iter", "max_leaf_nodes", "min_samples_leaf", "l2_regularization")


@dataclass(frozen=True)
class ForecastParams:
    """Hyper-parameters of the demand model (defaults measured on the generated worlds)."""

    loss: str = "poisson"  # point model loss: "poisson" or "squared_error"
    max_iter: int = 120
    learning_rate: float = 0.12
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    p90_max_iter: int = 80
    p90_scale: float = 1.0  # P90 = P50 + p90_scale * (quantile model - P50), set by calibration
    # learn demand relative to the series' recent level (the spec's ``base`` column): Poisson and
    # pinball losses on y / base weighted by base equal the losses on y with a log(base) offset,
    # so a trend in the level carries into the forecast instead of being averaged away
    level_offset: bool = True
    # training rows get forecast steps drawn from 1..horizon: the planning settings' horizon,
    # set by every caller that fits on rows without origin features
    horizon: int | None = None
    # 300k rather than 600k: medium's training 0.68x the time, backtest MASE ratio 0.710 vs
    # 0.703 (idle cores, one run each); small (117k rows) and completejourney fit every row
    max_train_rows: int = 300_000
    # the P90 (quantile) model on a sample of the P50's rows (None: all of them). Its fit
    # costs as much as the P50's (each tree's leaves are refitted as weighted percentiles);
    # on medium, 150k rows left the backtest's P90 coverage at 0.888 (0.887 on 300k) and the
    # forecaster's P50 and calibrated P90 unchanged, at half the quantile fit's time
    p90_max_train_rows: int | None = 150_000
    random_state: int = 0
    # fit stock-out days on an estimate of their demand (``lost_sales``) instead of leaving them
    # out; False is the behaviour of recipes recorded before the field existed
    impute_lost_sales: bool = False
    # OpenMP threads per fit (None = all cores). One by default: on 2 cores shared with other
    # work (dbt, Dagster, the webserver) OpenMP's spinning barriers made 2-thread fits 3-20x
    # slower than one thread, while on an idle machine two threads save well under half.
    n_threads: int | None = 1

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def with_values(self, **values: object) -> ForecastParams:
        return replace(self, **values)

    def recipe(self) -> dict[str, object]:
        """The parameters that change what the model learns (not how fast or on what sample)."""
        out = self.as_dict()
        out.pop("n_threads")
        return out


@dataclass
class DemandModel:
    """A fitted P50/P90 model pair and the encodings its features need at prediction time."""

    params: ForecastParams
    model_version: str
    spec: FeatureSpec
    p50_model: HistGradientBoostingRegressor
    p90_model: HistGradientBoostingRegressor | None
    categories: dict[str, list[str]]
    series_levels: pd.DataFrame
    dow_levels: pd.DataFrame
    feature_names: list[str]
    n_train_rows: int
    n_fit_rows: int
    extra: dict[str, object] = field(default_factory=dict)

    def design_matrix(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input columns for ``frame`` (for prediction and explanation)."""
        return _design_matrix(frame, self)

    def base(self, frame: pd.DataFrame) -> np.ndarray:
        """The level each row's demand is learnt relative to (1 without a level offset)."""
        return _base(frame, self)

    def predict_p50(self, x: pd.DataFrame, base: np.ndarray | None = None) -> np.ndarray:
        """The P50 alone (what a permutation importance scores: half the trees to walk)."""
        scale = np.ones(len(x)) if base is None else np.asarray(base, dtype=float)
        with threadpool_limits(self.params.n_threads, user_api="openmp"):
            return np.clip(self.p50_model.predict(x) * scale, 0.0, None)

    def predict_matrix(self, x: pd.DataFrame, base: np.ndarray | None = None) -> pd.DataFrame:
        """P50 and P90 from a design matrix and the rows' base level; P90 never below P50,
        neither below 0."""
        scale = np.ones(len(x)) if base is None else np.asarray(base, dtype=float)
        p50 = self.predict_p50(x, scale)
        with threadpool_limits(self.params.n_threads, user_api="openmp"):
            if self.p90_model is None:
                return pd.DataFrame({"p50": p50, "p90": p50}, index=x.index)
            raw90 = self.p90_model.predict(x) * scale
        p90 = np.maximum(p50 + self.params.p90_scale * (raw90 - p50), p50)
        return pd.DataFrame({"p50": p50, "p90": p90}, index=x.index)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """P50 and P90 per row of ``frame`` (same index). The rows must carry the origin
        features (``origin_features.add_origin_features`` with the forecast origin)."""
        missing = [c for c in self.spec.recent if c not in frame.columns]
        if missing:
            raise ValueError(f"rows lack origin features {missing}: call add_origin_features")
        return self.predict_matrix(self.design_matrix(frame), self.base(frame))


def training_rows(history: pd.DataFrame, impute: bool = False, freq: str = "D") -> pd.DataFrame:
    """History rows usable as targets: observed sales on days not stocked out and, with
    ``impute``, stock-out days carrying an estimate of their demand (``is_imputed``; a frame
    without that column is estimated here, by ``lost_sales.estimate_lost_sales``)."""
    return TrainingTargets.of(history, impute, freq).rows(history)


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


def with_levels_of_unseen_series(
    model: DemandModel, series_levels: pd.DataFrame, dow_levels: pd.DataFrame
) -> DemandModel:
    """``model`` with the target-encoded levels of series it was not fitted on (a model trained
    on a sample of series scores every series: its trees learnt how demand follows a series'
    level, and an unseen series' level is measured the same way, on its own training rows).
    The levels of the series it was fitted on are kept as they were."""

    def added(known: pd.DataFrame, levels: pd.DataFrame, keys: list[str], value: str):
        levels = levels[[*keys, value]].astype({"sku": str, "location_id": str})
        seen = levels[keys].merge(known[keys].drop_duplicates(), how="left", indicator=True)
        new = levels[(seen["_merge"] == "left_only").to_numpy()]
        return pd.concat([known, new.astype(known.dtypes.to_dict())], ignore_index=True)

    dow_keys = [*SERIES_KEYS, "day_of_week"]
    return replace(
        model,
        series_levels=added(model.series_levels, series_levels, SERIES_KEYS, "series_level"),
        dow_levels=added(model.dow_levels, dow_levels, dow_keys, "series_dow_level"),
    )


def _base(frame: pd.DataFrame, model: DemandModel) -> np.ndarray:
    """The spec's recent-level column, the series' training mean where it is missing, floored."""
    column = model.spec.base
    if not model.params.level_offset or column is None or column not in frame.columns:
        return np.ones(len(frame))
    level = frame[SERIES_KEYS].merge(model.series_levels, on=SERIES_KEYS, how="left")
    recent = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    fallback = level["series_level"].to_numpy(dtype=float)
    base = np.where(np.isfinite(recent), recent, fallback)
    return np.maximum(np.nan_to_num(base, nan=MIN_BASE), MIN_BASE)


def _design_matrix(frame: pd.DataFrame, model: DemandModel) -> pd.DataFrame:
    x = frame[[*SERIES_KEYS, "day_of_week"]].copy()
    x = x.merge(model.series_levels, on=SERIES_KEYS, how="left").merge(
        model.dow_levels, on=[*SERIES_KEYS, "day_of_week"], how="left"
    )
    x.index = frame.index
    out = pd.DataFrame(index=frame.index)
    for col in model.categories:
        out[col] = categories_as_text(frame[col], model.categories[col])
    for col in model.spec.numeric:
        if col in model.feature_names:
            out[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in LEVEL_FEATURES:
        out[col] = x[col].astype(float)
    return out[model.feature_names]


def categories_as_text(values: pd.Series, categories: list[str]) -> pd.Categorical:
    """``pd.Categorical(values.astype(str), categories)``, each distinct value made text once
    (not once per row: 1.4 s of a medium fit's 7 s of preparation)."""
    codes, uniques = pd.factorize(values)
    position = {text: i for i, text in enumerate(categories)}
    out = np.array([position.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)[codes]
    missing = codes == -1  # None and NaN read "None" and "nan": each missing row on its own
    if missing.any():
        out[missing] = [position.get(text, -1) for text in values[missing].astype(str)]
    return pd.Categorical.from_codes(out, categories=categories)


class LevelWeightedRegressor(HistGradientBoostingRegressor):
    """``HistGradientBoostingRegressor`` whose bin edges come from a weighted resample of the rows.

    The demand model weights every row by its level (``level_offset``). On fits of up to 200 k
    rows scikit-learn 1.9 finds each of a feature's 255 bin edges with its own weighted-percentile
    sort (binning 100 k x 30 features: 88.7 s weighted, 0.92 s unweighted); above 200 k rows it
    draws a weighted resample with replacement and bins that unweighted. This does the latter at
    every size: the same weighted edges in expectation, one sort per feature, deterministic in
    ``random_state``. Trees, leaves and losses still use the weights as given.
    """

    def _bin_data(self, X, sample_weight, is_training_data):  # noqa: N803 - sklearn API
        if not is_training_data or sample_weight is None:
            return super()._bin_data(X, sample_weight, is_training_data)
        n_rows = X.shape[0]
        size = min(n_rows, self._bin_mapper.subsample or n_rows)
        rng = np.random.default_rng(self._random_seed)
        pick = rng.choice(n_rows, size, p=sample_weight / sample_weight.sum(), replace=True)
        self._bin_mapper.fit(X[np.sort(pick)])
        return self._bin_mapper.transform(X)


def _regressor(
    params: ForecastParams, loss: str, max_iter: int, **extra
) -> HistGradientBoostingRegressor:
    return LevelWeightedRegressor(
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
    history: pd.DataFrame,
    params: ForecastParams | None = None,
    model_version: str = "dev",
    spec: FeatureSpec = DAILY_MART,
    with_p90: bool = True,
) -> DemandModel:
    """Fit the P50 (and P90) models on ``history`` (rows already limited to the training window).

    ``with_p90=False`` fits the point model only (the hyper-parameter search scores P50).
    """
    return start_fit(history, params, model_version, spec, with_p90).result()


@dataclass
class PendingFit:
    """A demand model whose estimators are being fitted (in a worker, or already here)."""

    model: DemandModel  # its encodings set, its estimators not fitted yet
    fits: list[Future]  # (the fitted estimator, its seconds) for the P50, then the P90
    prepared_in: float  # seconds spent here on the rows, encodings and design matrix

    def result(self) -> DemandModel:
        """The fitted model (waits for the estimators; a worker's error is raised here)."""
        fitted = [f.result()[0] for f in self.fits]
        return replace(self.model, p50_model=fitted[0], p90_model=(fitted[1:] or [None])[0])

    def seconds(self) -> float:
        """The fit's work: its preparation and each estimator's fit, wherever it ran (waits)."""
        return self.prepared_in + sum(f.result()[1] for f in self.fits)


def start_fit(
    history: pd.DataFrame,
    params: ForecastParams | None = None,
    model_version: str = "dev",
    spec: FeatureSpec = DAILY_MART,
    with_p90: bool = True,
    workers: FitWorkers = INLINE,
) -> PendingFit:
    """``fit_demand_model``, its estimators fitted by ``workers`` (in worker processes while
    the caller goes on, when the rows are enough to pay for it). The rows are sampled, encoded
    and weighted here, so a worker receives the design matrix alone."""
    started = time.perf_counter()
    params = params or ForecastParams()
    if any(c not in history.columns for c in spec.recent):
        if params.horizon is None:
            raise ValueError("rows without origin features need params.horizon to draw steps")
        history = add_origin_features(history, spec, params.horizon, seed=params.random_state)
    targets = TrainingTargets.of(history, params.impute_lost_sales, spec.freq)
    positions = targets.positions
    n_train = len(positions)
    if n_train == 0:
        raise ValueError("no training rows: every history row is missing or a stock-out day")
    if n_train > params.max_train_rows:
        rng = np.random.default_rng(params.random_state)
        positions = positions[
            np.sort(rng.choice(n_train, size=params.max_train_rows, replace=False))
        ]
    train = targets.rows(history, positions)
    categories = {
        col: sorted({str(v) for v in pd.unique(train[col])})
        for col in spec.categorical
        if train[col].nunique() <= MAX_CATEGORIES
    }
    series_levels, dow_levels = _levels(train)
    # a lag with no value in the training window (lag_364 on < 1 year of history) carries no
    # information, and HistGradientBoosting cannot bin an all-missing column: leave it out
    numeric = [c for c in spec.numeric if c in train.columns and train[c].notna().any()]
    feature_names = [*categories, *numeric, *LEVEL_FEATURES]
    model = DemandModel(
        params=params,
        model_version=model_version,
        spec=spec,
        p50_model=_regressor(params, params.loss, params.max_iter),
        p90_model=(
            _regressor(params, "quantile", params.p90_max_iter, quantile=0.9) if with_p90 else None
        ),
        categories=categories,
        series_levels=series_levels,
        dow_levels=dow_levels,
        feature_names=feature_names,
        n_train_rows=n_train,
        n_fit_rows=len(train),
    )
    x = _design_matrix(train, model)
    base = _base(train, model)
    y = train["units_sold"].to_numpy(dtype=float).clip(0.0, None) / base
    jobs = [(model.p50_model, x, y, base)]
    if model.p90_model is not None:
        jobs.append((model.p90_model, *_quantile_rows(x, y, base, params)))
    prepared_in = time.perf_counter() - started
    fits = [
        workers.submit(len(x), fit_estimator, estimator, *rows, params.n_threads)
        for estimator, *rows in jobs
    ]
    return PendingFit(model, fits, prepared_in)


def _quantile_rows(
    x: pd.DataFrame, y: np.ndarray, weight: np.ndarray, params: ForecastParams
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The P90 model's rows: the P50's, or a uniform sample of ``p90_max_train_rows`` of them
    (fixed seed, kept in order)."""
    cap = params.p90_max_train_rows
    if cap is None or len(x) <= cap:
        return x, y, weight
    pick = np.sort(np.random.default_rng(params.random_state).choice(len(x), cap, replace=False))
    return x.iloc[pick], y[pick], weight[pick]


def fit_estimator(
    estimator: HistGradientBoostingRegressor,
    x: pd.DataFrame,
    y: np.ndarray,
    weight: np.ndarray,
    n_threads: int | None,
) -> tuple[HistGradientBoostingRegressor, float]:
    """``estimator`` fitted on ``n_threads`` OpenMP threads (what a worker process runs), and
    the seconds it took."""
    started = time.perf_counter()
    with threadpool_limits(n_threads, user_api="openmp"):
        estimator.fit(x, y, sample_weight=weight)
    return estimator, time.perf_counter() - started
