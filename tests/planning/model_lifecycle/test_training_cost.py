"""Training pays for its features once, stops its search on a time budget, and bins weighted
rows without one weighted sort per bin edge."""

from dataclasses import replace

import pytest
from sklearn.ensemble._hist_gradient_boosting import binning

from supplymesh.planning.forecasting import origin_features
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.model import ForecastParams, fit_demand_model
from supplymesh.planning.model_lifecycle import training
from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger
from supplymesh.planning.model_lifecycle.tuning import SearchConfig, search_params
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_features

FAST = ForecastParams(horizon=14, max_iter=30, p90_max_iter=20)
SETTINGS = default_planning_settings().updated(
    {
        "forecast": {"horizon_days": 14},
        "backtest": {"origins": 2},
        "model": {"search_candidates": 2},
    },
    "test",
)
TRAINING = replace(TrainingConfig.from_settings(SETTINGS, FAST), importance_repeats=1)


@pytest.fixture(scope="module")
def features():
    return make_features(n_skus=3, n_locations=2, history_days=300, seed=11)


def test_a_challenger_builds_its_origin_features_once(features, monkeypatch):
    built = []
    real_init = origin_features.OriginFeatures.__init__

    def counting_init(self, *args, **kwargs):
        built.append(len(args[0]))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(origin_features.OriginFeatures, "__init__", counting_init)
    challenger = train_challenger(features, TRAINING)
    assert challenger.search is not None and len(challenger.backtest.origins) == 2
    assert len(built) == 1  # search, both origins, held-out window and final fit share them
    other = challenger.params.with_values(learning_rate=challenger.params.learning_rate / 2)
    mase = training.champion_canary_mase(features, other, challenger, TRAINING.horizon)
    assert mase > 0 and len(built) == 1  # the champion's canary refit reuses them too


def test_a_spent_budget_stops_the_search_after_the_incumbent(features):
    frame, _ = prepare_frame(features)
    history = frame[frame["_history"]]
    config = SearchConfig(enabled=True, n_candidates=3, n_splits=2, max_rows=10_000)
    result = search_params(history, FAST, replace(config, budget_seconds=1e-6))
    assert len(result.results) == 1 and result.params == FAST
    meta = result.as_metadata()
    assert meta["search_stopped_by_budget"] is True
    assert meta["search_candidates"] == 1 and meta["search_candidates_planned"] == 3
    assert meta["search_kept_incumbent"] is True


def test_an_ample_budget_scores_every_candidate(features):
    frame, _ = prepare_frame(features)
    history = frame[frame["_history"]]
    config = SearchConfig(enabled=True, n_candidates=2, n_splits=2, max_rows=10_000)
    result = search_params(history, FAST, config)
    assert len(result.results) == 2 and not result.as_metadata()["search_stopped_by_budget"]


def test_the_budget_is_a_planning_setting():
    settings = default_planning_settings().updated({"model": {"search_budget_seconds": 5}}, "t")
    assert SearchConfig.from_settings(settings).budget_seconds == 5
    assert SearchConfig.from_settings(default_planning_settings()).budget_seconds > 0


def test_level_weighted_fits_never_sort_once_per_bin_edge(features, monkeypatch):
    def per_edge_sort(*_args, **_kwargs):
        raise AssertionError("a weighted percentile per bin edge")

    monkeypatch.setattr(binning, "_weighted_percentile", per_edge_sort)
    model = fit_demand_model(features, FAST)  # level offset on: rows weighted by their level
    assert model.params.level_offset and model.p50_model.n_iter_ == FAST.max_iter
