"""Hyper-parameter search for the demand model with time-series cross-validation.

Each candidate in turn (the incumbent recipe first, then scikit-learn's ``ParameterSampler``
draws from ``SEARCH_SPACE``) is cross-validated as ``cross_validate`` would: a fresh clone fitted
per fold cut by ``TimeSeriesSplit``, the folds side by side in the round's fit workers, scored
with the measure the model is judged by, MASE: each series' mean
absolute error over its own in-sample seasonal-naive error, averaged over series. The split runs
over *days*, not rows, so every fold trains on whole days before the ones it is scored on and a
day never straddles train and test. The search is bounded (candidates x folds fits of the point
model on at most ``max_rows`` sampled rows) and timed: once ``budget_seconds`` are spent it
launches no further candidate (the incumbent is always scored) and its metadata says so.

Two folds of four weeks rank recipes within noise of each other (on the generated small world
the four candidates' cross-validated MASE spanned 0.811-0.820, a fold-to-fold spread of 0.03),
so a candidate replaces the incumbent only when it is better by more than ``min_gain``: a
recipe change should be earned, not drawn.

It should see only data before the backtest's first origin, so the backtest that follows
scores the chosen recipe on days the search never looked at.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import ParameterSampler, TimeSeriesSplit

from supplymesh.planning.fit_workers import INLINE, FitWorkers
from supplymesh.planning.forecasting.features import DAILY_MART, FeatureSpec
from supplymesh.planning.forecasting.lost_sales import IMPUTED, TrainingTargets
from supplymesh.planning.forecasting.metrics import series_scales
from supplymesh.planning.forecasting.model import TUNABLE, ForecastParams, fit_demand_model
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning_settings import PlanningSettings

SCALE_COLUMN = "mase_scale"  # carried in X for the scorer; the model never reads it

SEARCH_SPACE: dict[str, list[float | int]] = {
    "learning_rate": [0.05, 0.08, 0.12, 0.2],
    "max_iter": [80, 120, 200],
    "max_leaf_nodes": [15, 31, 63],
    "min_samples_leaf": [20, 40, 80],
    "l2_regularization": [0.0, 1.0, 3.0],
}


@dataclass(frozen=True)
class SearchConfig:
    """Bounds of the search (``from_settings``: the run's ``model.search_*`` settings)."""

    enabled: bool
    n_candidates: int  # the incumbent plus n - 1 sampled recipes
    n_splits: int
    max_rows: int
    budget_seconds: float = 60.0  # no candidate is launched once this much wall time is spent
    random_state: int = 0
    # a candidate replaces the incumbent recipe only when its cross-validated MASE is lower by
    # more than this share: two folds of a few weeks rank recipes within noise of each other
    min_gain: float = 0.01

    @classmethod
    def from_settings(cls, settings: PlanningSettings, first_round: bool = False) -> SearchConfig:
        """``first_round``: the runtime folder's first training round, which searches only when
        ``model.search_first_round`` says so (nothing serves until that round ends)."""
        model = settings.model
        return cls(
            enabled=model.search_enabled and (model.search_first_round or not first_round),
            n_candidates=model.search_candidates,
            n_splits=model.search_folds,
            max_rows=model.search_max_rows,
            budget_seconds=model.search_budget_seconds,
        )


@dataclass
class SearchResult:
    """The chosen recipe and every candidate's cross-validated score."""

    params: ForecastParams
    results: pd.DataFrame  # one row per candidate: the tuned values, mean and std MASE, rank
    seconds: float
    n_rows: int
    n_planned: int = 0  # candidates the search meant to score
    budget_seconds: float | None = None

    @property
    def stopped_by_budget(self) -> bool:
        """True when the time budget ran out before every planned candidate was scored."""
        return len(self.results) < self.n_planned

    def as_metadata(self) -> dict[str, object]:
        chosen = self.results[self.results["chosen"]].iloc[0]
        return {
            "search_candidates": len(self.results),
            "search_candidates_planned": self.n_planned,
            "search_budget_seconds": self.budget_seconds,
            "search_stopped_by_budget": self.stopped_by_budget,
            "search_seconds": round(self.seconds, 1),
            "search_rows": self.n_rows,
            "search_chosen_mase": round(float(chosen["mean_mase"]), 4),
            "search_kept_incumbent": bool(self.results.index[self.results["chosen"]][0] == 0),
        }


class DemandRegressor(RegressorMixin, BaseEstimator):
    """The P50 model as a scikit-learn estimator, so the search can clone and set its recipe.

    ``X`` is a demand frame (the columns of ``spec``); ``y`` its units sold. Target encodings are
    learnt inside ``fit``, so each cross-validation fold encodes from its own training rows only.
    """

    def __init__(
        self,
        learning_rate: float = 0.12,
        max_iter: int = 120,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        loss: str = "poisson",
        spec: FeatureSpec = DAILY_MART,
        random_state: int = 0,
        n_threads: int | None = 1,
        impute_lost_sales: bool = False,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.loss = loss
        self.spec = spec
        self.random_state = random_state
        self.n_threads = n_threads
        self.impute_lost_sales = impute_lost_sales

    def _params(self) -> ForecastParams:
        return ForecastParams(
            loss=self.loss,
            max_iter=int(self.max_iter),
            learning_rate=float(self.learning_rate),
            max_leaf_nodes=int(self.max_leaf_nodes),
            min_samples_leaf=int(self.min_samples_leaf),
            l2_regularization=float(self.l2_regularization),
            random_state=self.random_state,
            n_threads=self.n_threads,
            impute_lost_sales=self.impute_lost_sales,
            max_train_rows=10**12,
        )

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> DemandRegressor:  # noqa: N803 - sklearn API
        frame = X.assign(units_sold=np.asarray(y, dtype=float))
        self.model_ = fit_demand_model(frame, self._params(), spec=self.spec, with_p90=False)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803 - sklearn API
        return self.model_.predict(X)["p50"].to_numpy()


def candidates(incumbent: ForecastParams, config: SearchConfig) -> list[dict[str, list]]:
    """The incumbent's tuned values, then ``n_candidates - 1`` distinct draws from the space."""
    first = {k: getattr(incumbent, k) for k in TUNABLE}
    out = [first]
    sampler = ParameterSampler(
        SEARCH_SPACE, n_iter=max(config.n_candidates * 4, 8), random_state=config.random_state
    )
    for draw in sampler:
        if len(out) >= config.n_candidates:
            break
        if draw not in out:
            out.append(draw)
    return [{k: [v] for k, v in c.items()} for c in out]


def mase_scorer(estimator: DemandRegressor, X: pd.DataFrame, y: np.ndarray) -> float:  # noqa: N803 - sklearn API
    """Negative MASE of ``estimator`` on ``X`` (higher is better, as scikit-learn wants), over
    observed rows only: a fold's imputed lost sales are training targets, never scored."""
    error = np.abs(estimator.predict(X) - np.asarray(y, dtype=float)) / X[SCALE_COLUMN].to_numpy()
    error = pd.Series(error, index=X.index)
    if IMPUTED in X.columns:
        error = error[~X[IMPUTED].to_numpy(bool)]
    per_series = error.groupby([X["sku"], X["location_id"]]).mean()
    return -float(per_series.mean())


def fold_mase(
    recipe: DemandRegressor,
    fit_rows: pd.DataFrame,
    fit_y: np.ndarray,
    test_rows: pd.DataFrame,
    test_y: np.ndarray,
) -> float:
    """MASE of a fresh copy of ``recipe`` fitted on one fold's rows and scored on its test rows
    (what ``cross_validate`` does for a fold; run in a worker process when there are workers)."""
    return -mase_scorer(clone(recipe).fit(fit_rows, fit_y), test_rows, test_y)


def day_folds(
    dates: pd.Series, n_splits: int, test_days: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``TimeSeriesSplit`` over the distinct days, mapped back to row positions."""
    days = np.sort(dates.unique())
    splitter = TimeSeriesSplit(n_splits=n_splits, test_size=test_days)
    values = dates.to_numpy()
    folds = []
    for train_idx, test_idx in splitter.split(days):
        train_rows = np.flatnonzero(np.isin(values, days[train_idx]))
        test_rows = np.flatnonzero(np.isin(values, days[test_idx]))
        folds.append((train_rows, test_rows))
    return folds


def search_params(
    history: pd.DataFrame,
    incumbent: ForecastParams,
    config: SearchConfig,
    spec: FeatureSpec = DAILY_MART,
    workers: FitWorkers = INLINE,
) -> SearchResult:
    """Cross-validate the candidates on ``history`` (a prepared frame limited to the days the
    search may see, with or without origin features) and return the incumbent, updated with the
    best candidate's tuned values when that candidate is better by more than ``min_gain``.
    Candidates run in order until ``budget_seconds`` are spent; the incumbent always runs."""
    started = time.perf_counter()
    rows = _search_rows(history, incumbent, config, spec)
    n_days = rows["demand_date"].nunique()
    test_days = max(min(incumbent.horizon, n_days // (config.n_splits + 1)), 1)
    folds = day_folds(rows["demand_date"], config.n_splits, test_days)
    estimator = DemandRegressor(
        loss=incumbent.loss,
        spec=spec,
        random_state=incumbent.random_state,
        n_threads=incumbent.n_threads,
        impute_lost_sales=incumbent.impute_lost_sales,
    )
    y = rows["units_sold"].to_numpy(dtype=float)
    grid = candidates(incumbent, config)
    scored = []
    for candidate in grid:
        if scored and time.perf_counter() - started >= config.budget_seconds:
            break
        values = {k: v[0] for k, v in candidate.items()}
        recipe = clone(estimator).set_params(**values)
        # a candidate's folds side by side, in worker processes when the rows are many
        folds_done = [
            workers.submit(
                len(rows), fold_mase, recipe, rows.iloc[fit], y[fit], rows.iloc[test], y[test]
            )
            for fit, test in folds
        ]
        mase = np.array([f.result() for f in folds_done])
        scored.append({**values, "mean_mase": mase.mean(), "std_mase": mase.std()})
    table = pd.DataFrame(scored)
    table["rank"] = table["mean_mase"].rank(method="min").astype(int)
    best = int(table["mean_mase"].idxmin())
    incumbent_mase = float(table.loc[0, "mean_mase"])
    chosen = best if table.loc[best, "mean_mase"] < incumbent_mase * (1 - config.min_gain) else 0
    table["chosen"] = table.index == chosen
    values = {k: type(getattr(incumbent, k))(table.loc[chosen, k]) for k in TUNABLE}
    return SearchResult(
        incumbent.with_values(**values),
        table,
        time.perf_counter() - started,
        len(rows),
        n_planned=len(grid),
        budget_seconds=config.budget_seconds,
    )


def _search_rows(
    history: pd.DataFrame, incumbent: ForecastParams, config: SearchConfig, spec: FeatureSpec
) -> pd.DataFrame:
    """The scored training rows (origin features, MASE scale), sampled to ``max_rows``, in
    day order. Lost sales are estimated before the sample (the estimate reads a series' days
    around a stock-out day) over all the days the search sees: an estimate near a fold's end
    may read days of the next fold, which only ranks recipes; the backtest that follows
    estimates within each training window only."""
    frame = history
    if any(c not in frame.columns for c in spec.recent):
        frame = add_origin_features(frame, spec, incumbent.horizon, seed=incumbent.random_state)
    scales = series_scales(frame, spec.season, spec.freq).rename(columns={"scale": SCALE_COLUMN})
    targets = TrainingTargets.of(frame, incumbent.impute_lost_sales, spec.freq)
    # each target's scale from its keys alone: only the sampled rows are copied whole
    keys = frame[SERIES_KEYS].iloc[targets.positions]
    scale = keys.merge(scales, on=SERIES_KEYS, how="left")[SCALE_COLUMN].to_numpy()
    scaled = scale > 0
    positions, scale = targets.positions[scaled], scale[scaled]
    if len(positions) > config.max_rows:
        rng = np.random.default_rng(config.random_state)
        pick = np.sort(rng.choice(len(positions), config.max_rows, replace=False))
        positions, scale = positions[pick], scale[pick]
    rows = targets.rows(frame, positions).assign(**{SCALE_COLUMN: scale})
    return rows.sort_values("demand_date", kind="stable").reset_index(drop=True)
