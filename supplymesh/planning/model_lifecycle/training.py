"""Train a challenger: search, backtest, explain, check and fit, in one plain function.

``train_challenger`` runs the whole evidence-gathering part of the model life cycle on a demand
frame, without touching the registry or any file:

1. bounded hyper-parameter search on the days before the first backtest origin (``tuning``);
2. rolling-origin backtest of the chosen recipe beside both baselines and the statistical peers
   (``backtest``; the peers on a stable sample of ``peer_series`` series: their cost counts
   against training's time target), and the forecaster choosing among them per demand class
   (``forecast_choice.backtest_choice``: on the rows every method forecast, so on the peers'
   sample when they ran on one; its serving choice goes to the registry card and artifacts);
3. bias check by region and category on the backtest (``segments``);
4. grouped permutation importance on the latest backtest window (``explain``);
5. the final fit on all history, and a sample of its training rows as the drift reference.

The frame is prepared once and its origin features built once (``OriginFeatures``): the search,
every backtest origin, the held-out window, the final fit and the champion's canary refit all
slice the same training rows and compute only each origin's forecast rows.

``challenger_round.settle_round`` then compares the challenger with the champion, decides, saves
the artifacts and records the decision in the registry the asset publishes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from supplymesh.planning.fit_workers import FitWorkers, fit_workers
from supplymesh.planning.forecast_choice.backtest_choice import BacktestChoice, choose_on_backtest
from supplymesh.planning.forecast_choice.selection import FORECAST
from supplymesh.planning.forecast_choice.stored_choice import by_class_json, finite_or_none
from supplymesh.planning.forecasting.backtest import Backtest, run_backtest
from supplymesh.planning.forecasting.features import DAILY_MART, FeatureSpec
from supplymesh.planning.forecasting.forecast import prepared_in_series_order
from supplymesh.planning.forecasting.model import DemandModel, ForecastParams, start_fit
from supplymesh.planning.forecasting.origin_features import OriginFeatures
from supplymesh.planning.forecasting.peers import peers_from_text
from supplymesh.planning.model_lifecycle.drift import (
    DriftConfig,
    monitored_columns,
    reference_sample,
)
from supplymesh.planning.model_lifecycle.explain import grouped_permutation_importance
from supplymesh.planning.model_lifecycle.segments import (
    SegmentCheck,
    SegmentCheckConfig,
    check_segments,
)
from supplymesh.planning.model_lifecycle.tuning import SearchConfig, SearchResult, search_params
from supplymesh.planning_settings import PlanningSettings

Progress = Callable[[str], None]
REFERENCE_DAYS = 364  # the drift reference covers one seasonal cycle of training rows
# recipe fields added after recipes were first recorded, with the value that reproduces a recipe
# recorded before them (a champion trained before lost sales were imputed did not impute them)
RECIPE_FIELDS_ADDED: dict[str, object] = {"impute_lost_sales": False, "p90_max_train_rows": None}


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that shapes a challenger (``from_settings`` builds it from a run's settings)."""

    horizon: int
    n_origins: int
    params: ForecastParams
    search: SearchConfig
    segments: SegmentCheckConfig
    drift: DriftConfig
    importance_repeats: int = 3
    peers: tuple[str, ...] = ()  # statistical peers the backtest scores beside the model
    peer_series: int | None = None  # ... on the stable hash sample of this many series
    fit_workers: int = 1  # processes for the round's fits (``fit_workers``)

    @classmethod
    def from_settings(
        cls,
        settings: PlanningSettings,
        params: ForecastParams | None = None,
        first_round: bool = False,
    ) -> TrainingConfig:
        """The run's horizon, backtest origins and peers, search, bias-check and drift settings
        (ValueError naming an unknown peer); ``first_round``: the registry holds no round yet."""
        horizon = settings.forecast.horizon_days
        return cls(
            horizon=horizon,
            n_origins=settings.backtest.origins,
            params=(params or ForecastParams()).with_values(
                horizon=horizon, impute_lost_sales=settings.model.impute_lost_sales
            ),
            search=SearchConfig.from_settings(settings, first_round),
            segments=SegmentCheckConfig.from_settings(settings),
            drift=DriftConfig.from_settings(settings),
            peers=peers_from_text(settings.backtest.peers, served=True),
            peer_series=settings.backtest.peer_series,
            fit_workers=settings.model.fit_workers,
        )


@dataclass
class Challenger:
    """A trained challenger and all its evidence."""

    model: DemandModel
    params: ForecastParams
    backtest: Backtest
    segments: SegmentCheck
    importance: pd.DataFrame
    reference: pd.DataFrame
    search: SearchResult | None
    as_of: pd.Timestamp
    seconds: dict[str, float]
    # the history's origin features, kept for the champion's canary refit on the same rows
    origin_features: OriginFeatures | None = field(default=None, repr=False)
    # the forecaster over the backtest: its scores and the choice per class to serve
    forecaster: BacktestChoice | None = field(default=None, repr=False)

    @property
    def canary_origin(self) -> pd.Timestamp:
        return self.backtest.origins[-1]

    def canary_mase(self) -> float:
        return float(self.backtest.metrics("model", self.canary_origin).mase)

    def importances_json(self) -> str:
        return json.dumps(
            {r.group: round(float(r.mae_increase), 5) for r in self.importance.itertuples()}
        )

    def card(self) -> dict[str, object]:
        """The registry fields the challenger fills itself."""
        s = self.backtest.summary()
        worst, ratio = self.segments.worst
        return {
            "training_as_of": self.as_of.date(),
            "training_rows": int(self.model.n_train_rows),
            "params": json.dumps(self.params.recipe(), sort_keys=True),
            "feature_importances": self.importances_json(),
            "backtest_origins": len(self.backtest.origins),
            "backtest_mase": s["model"].mase,
            "backtest_mase_total": s["model"].mase_total,
            "backtest_wape": s["model"].wape,
            "backtest_bias": s["model"].bias,
            "backtest_p90_coverage": s["model"].p90_coverage,
            "seasonal_naive_mase": s["seasonal_naive"].mase,
            "moving_average_mase": s["moving_average"].mase,
            "canary_window_start": (self.canary_origin + pd.Timedelta(days=1)).date(),
            "canary_mase": self.canary_mase(),
            "bias_check_passed": self.segments.passed,
            "worst_segment": worst,
            "worst_segment_error_ratio": ratio,
            "search_seconds": self.seconds.get("search", 0.0),
            "backtest_seconds": self.seconds.get("backtest", 0.0),
            "fit_seconds": self.seconds.get("fit", 0.0),
            **self.forecaster_card(),
        }

    def forecaster_card(self) -> dict[str, object]:
        """The forecaster's registry fields: its backtest MASE and P90 coverage (on the origins
        past its warm-up and the rows every method forecast) and, as JSON, its serving choice
        per class with those rows, origins and the model's MASE on them (the like-for-like
        comparison). None where nothing was scored."""
        f = self.forecaster
        if f is None or not f.scored:
            return {"forecaster_backtest_mase": None, "forecaster_p90_coverage": None}
        scores = f.scores()
        evidence = {
            "by_class": by_class_json(f.final),
            "scored_origins": [o.date().isoformat() for o in f.selection.scored_origins],
            "warm_up_origins": [o.date().isoformat() for o in f.selection.warm_up],
            "n_series": scores[FORECAST].n_series,
            "model_mase_same_rows": finite_or_none(scores["model"].mase),
            "best_peer": f.best_peer(scores),
        }
        return {
            "forecaster_backtest_mase": scores[FORECAST].mase,
            "forecaster_p90_coverage": scores[FORECAST].p90_coverage,
            "forecaster_choice": json.dumps(evidence, sort_keys=True, allow_nan=False),
        }


def params_from_json(text: str, base: ForecastParams | None = None) -> ForecastParams:
    """A registered recipe back as parameters (run-time settings from ``base``). A field of
    ``RECIPE_FIELDS_ADDED`` that the recipe lacks takes the value it was trained with, not
    ``base``'s."""
    base = base or ForecastParams()
    recipe = {**RECIPE_FIELDS_ADDED, **json.loads(text)}
    known = {k: v for k, v in recipe.items() if hasattr(base, k)}
    return base.with_values(**known)


def train_challenger(
    features: pd.DataFrame,
    config: TrainingConfig,
    spec: FeatureSpec = DAILY_MART,
    progress: Progress | None = None,
) -> Challenger:
    """Search, backtest, check, explain and fit a challenger on ``features`` (the fits in
    ``config.fit_workers`` worker processes, stopped when it returns)."""
    with fit_workers(config.fit_workers) as workers:
        return _train(features, config, spec, progress or (lambda _msg: None), workers)


def _train(
    features: pd.DataFrame,
    config: TrainingConfig,
    spec: FeatureSpec,
    say: Progress,
    workers: FitWorkers,
) -> Challenger:
    frame, as_of = prepared_in_series_order(features, spec)
    params = config.params.with_values(horizon=config.horizon)
    workers.start(int(frame["_history"].sum()), _worker_modules(config))
    started = time.perf_counter()
    index = OriginFeatures(frame[frame["_history"]], spec, config.horizon, params.random_state)
    seconds: dict[str, float] = {"features": time.perf_counter() - started}
    history = index.training  # every history row with its training origin features
    first_origin = as_of - pd.Timedelta(days=config.horizon * config.n_origins)
    visible = history[history["demand_date"] <= first_origin]
    search = _search(visible, params, config, spec, say, workers)
    if search is not None:
        params = search.params
        seconds["search"] = search.seconds
    say("final fit on all history")
    # with workers its trees grow first, beside the backtest's preparation; without, it is done
    final = start_fit(history, params, spec=spec, workers=workers)
    say(f"backtest: {config.n_origins} origins")
    started = time.perf_counter()
    backtest = run_backtest(
        frame,
        params,
        spec,
        horizon=config.horizon,
        n_origins=config.n_origins,
        progress=say,
        keep_models=True,
        origin_features=index,
        peers=config.peers,
        peer_series=config.peer_series,
        workers=workers,
    )
    seconds["backtest"] = time.perf_counter() - started
    started = time.perf_counter()
    forecaster = choose_on_backtest(backtest)
    seconds["forecaster"] = time.perf_counter() - started
    segments = check_segments(backtest.scaled(), config.segments)
    last = backtest.origins[-1]
    held_out = index.split(last)[1]
    held_out = held_out[~held_out["is_stockout"] & held_out["units_sold"].notna()]
    importance = grouped_permutation_importance(
        backtest.models[last], held_out, n_repeats=config.importance_repeats
    )
    backtest.models.clear()  # the per-origin models are evidence, not artifacts
    model, seconds["fit"] = final.result(), final.seconds()
    recent = history[history["demand_date"] > as_of - pd.Timedelta(days=REFERENCE_DAYS)]
    recent = recent[~recent["is_stockout"] & recent["units_sold"].notna()]
    reference = reference_sample(
        recent, monitored_columns(list(recent.columns)), config.drift.reference_rows
    )
    return Challenger(
        model=model,
        params=params,
        backtest=backtest,
        segments=segments,
        importance=importance,
        reference=reference,
        search=search,
        as_of=as_of,
        seconds=seconds,
        origin_features=index,
        forecaster=forecaster,
    )


def _worker_modules(config: TrainingConfig) -> tuple[str, ...]:
    """What the round's fits import in a worker: the model's module (pandas, scikit-learn) and,
    when peers run, statsforecast's models."""
    fits = ("supplymesh.planning.forecasting.model", "supplymesh.planning.model_lifecycle.tuning")
    return (*fits, "statsforecast.models") if config.peers else fits


def _search(
    visible: pd.DataFrame,
    params: ForecastParams,
    config: TrainingConfig,
    spec: FeatureSpec,
    say: Progress,
    workers: FitWorkers,
) -> SearchResult | None:
    """The bounded search on the days before the first backtest origin (None when disabled or
    when those days are too few for its folds)."""
    if not config.search.enabled:
        return None
    if visible["demand_date"].nunique() <= config.horizon * (config.search.n_splits + 2):
        return None
    say(
        f"search: {config.search.n_candidates} candidates x {config.search.n_splits} folds, "
        f"budget {config.search.budget_seconds:.0f} s"
    )
    search = search_params(visible, params, config.search, spec, workers)
    if search.stopped_by_budget:
        say(f"search: budget spent after {len(search.results)}/{search.n_planned} candidates")
    return search


def champion_canary_mase(
    features: pd.DataFrame,
    champion_params: ForecastParams,
    challenger: Challenger,
    horizon: int,
    spec: FeatureSpec = DAILY_MART,
) -> float:
    """The champion's recipe refit at the challenger's canary origin and scored on the same
    window (identical data, identical days). Reuses the challenger's score when the recipes are
    the same: the fit is deterministic, so refitting would only repeat it."""
    if champion_params.recipe() == challenger.params.recipe():
        return challenger.canary_mase()
    frame, _as_of = prepared_in_series_order(features, spec)
    history = frame[frame["_history"]]
    history = history[
        history["demand_date"] <= challenger.canary_origin + pd.Timedelta(days=horizon)
    ]
    index = challenger.origin_features
    reuse = index is not None and index.horizon == horizon and len(index.training) == len(history)
    canary = run_backtest(
        history,
        champion_params,
        spec,
        horizon=horizon,
        n_origins=1,
        origin_features=index if reuse else None,
    )
    return float(canary.metrics("model").mase)
