"""The hyper-parameter search: scikit-learn's GridSearchCV over whole days, incumbent first."""

from dataclasses import replace

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.model_lifecycle.tuning import (
    SearchConfig,
    candidates,
    day_folds,
    search_params,
)
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_features

SEARCH = SearchConfig.from_settings(default_planning_settings())


def test_folds_keep_days_whole_and_train_before_test():
    dates = pd.Series(np.repeat(pd.date_range("2026-01-01", periods=60), 3))
    folds = day_folds(dates, n_splits=3, test_days=7)
    assert len(folds) == 3
    for train, test in folds:
        assert dates.iloc[train].max() < dates.iloc[test].min()
        assert dates.iloc[test].nunique() == 7
        assert set(dates.iloc[test]).isdisjoint(set(dates.iloc[train]))


def test_candidates_start_with_the_incumbent_and_are_distinct():
    incumbent = ForecastParams()
    grid = candidates(incumbent, replace(SEARCH, n_candidates=5))
    assert grid[0]["learning_rate"] == [incumbent.learning_rate]
    assert len(grid) == 5
    assert len({tuple(sorted((k, v[0]) for k, v in g.items())) for g in grid}) == 5


def test_search_scores_every_candidate_and_returns_the_best():
    features = make_features(n_skus=3, n_locations=1, history_days=200, seed=5)
    frame, _ = prepare_frame(features)
    history = frame[frame["_history"]]
    incumbent = ForecastParams(max_iter=30, p90_max_iter=20, horizon=14)
    result = search_params(history, incumbent, replace(SEARCH, n_candidates=3, n_splits=2))
    table = result.results
    assert len(table) == 3 and table["chosen"].sum() == 1
    chosen = table[table["chosen"]].iloc[0]
    assert result.params.learning_rate == chosen["learning_rate"]
    assert result.params.horizon == 14  # untuned settings are kept
    assert (table["mean_mase"] > 0).all()
    best, incumbent = table["mean_mase"].min(), table.loc[0, "mean_mase"]
    # the incumbent stays unless a candidate beats it by more than the minimum gain
    assert chosen.name == (table["mean_mase"].idxmin() if best < incumbent * 0.99 else 0)


def test_an_incumbent_within_noise_of_the_best_is_kept():
    features = make_features(n_skus=3, n_locations=1, history_days=200, seed=5)
    frame, _ = prepare_frame(features)
    history = frame[frame["_history"]]
    incumbent = ForecastParams(max_iter=30, p90_max_iter=20, horizon=14)
    result = search_params(
        history, incumbent, replace(SEARCH, n_candidates=3, n_splits=2, min_gain=10.0)
    )
    assert result.results.loc[0, "chosen"] and result.params == incumbent


def test_the_first_round_searches_only_when_its_setting_says_so():
    settings = default_planning_settings()
    assert SearchConfig.from_settings(settings).enabled
    assert not SearchConfig.from_settings(settings, first_round=True).enabled
    asked = settings.updated({"model": {"search_first_round": True}}, "t")
    assert SearchConfig.from_settings(asked, first_round=True).enabled
    off = settings.updated({"model": {"search_enabled": False}}, "t")
    assert not SearchConfig.from_settings(off).enabled
