"""A training round draws its samples from the rows in series order, so the order the mart was
stored in never changes the model: two shuffles of one frame train the same challenger."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning import fit_workers as fit_workers_module
from supplymesh.planning.forecasting.forecast import prepare_frame, prepared_in_series_order
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.model_lifecycle.training import (
    TrainingConfig,
    train_challenger,
)
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_features

# samples far below the frame's rows: the search's and every fit's, where the order would tell
FAST = ForecastParams(horizon=14, max_iter=30, p90_max_iter=20, max_train_rows=600)
SETTINGS = default_planning_settings().updated(
    {
        "forecast": {"horizon_days": 14},
        "backtest": {"origins": 2},
        "model": {"search_candidates": 2, "search_max_rows": 500, "impute_lost_sales": True},
    },
    "test",
)
TRAINING = replace(TrainingConfig.from_settings(SETTINGS, FAST), importance_repeats=1)


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_features(n_skus=3, n_locations=2, history_days=240, seed=5, stockout_rate=0.05)


def shuffled(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


def test_the_prepared_frame_is_in_series_order_whatever_the_stored_order(features):
    one, as_of = prepared_in_series_order(shuffled(features, 1))
    two, _ = prepared_in_series_order(shuffled(features, 2))
    pd.testing.assert_frame_equal(one, two)
    expected = prepare_frame(features)[0].sort_values(["sku", "location_id", "demand_date"])
    pd.testing.assert_frame_equal(one, expected.reset_index(drop=True))
    assert as_of == prepare_frame(features)[1]


def test_two_shuffles_of_one_frame_train_the_same_challenger(features):
    one = train_challenger(shuffled(features, 1), TRAINING)
    two = train_challenger(shuffled(features, 2), TRAINING)
    assert one.model.n_fit_rows == FAST.max_train_rows < one.model.n_train_rows
    assert one.search is not None and one.search.n_rows == SETTINGS.model.search_max_rows
    pd.testing.assert_frame_equal(one.search.results, two.search.results)
    pd.testing.assert_frame_equal(one.model.series_levels, two.model.series_levels)
    pd.testing.assert_frame_equal(one.backtest.per_origin(), two.backtest.per_origin())
    index = one.origin_features
    assert index is not None
    at_origin = index.at(one.as_of - pd.Timedelta(days=14)).iloc[:500]
    pd.testing.assert_frame_equal(one.model.predict(at_origin), two.model.predict(at_origin))


def test_fits_in_worker_processes_train_the_same_challenger(features, monkeypatch):
    here = train_challenger(features, replace(TRAINING, fit_workers=1))
    submitted = []

    class CountingPool(fit_workers_module.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(fit_workers_module, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(fit_workers_module, "MIN_ROWS", 1)  # these few rows go to workers too
    apart = train_challenger(features, replace(TRAINING, fit_workers=2))
    # the search's folds, each origin's P50 and P90, and the final fit's
    assert submitted.count("fold_mase") == 2 * len(apart.search.results)
    assert submitted.count("fit_estimator") == 2 * (len(apart.backtest.origins) + 1)
    pd.testing.assert_frame_equal(here.search.results, apart.search.results)
    pd.testing.assert_frame_equal(here.backtest.predictions, apart.backtest.predictions)
    rows = apart.origin_features.split(apart.canary_origin)[1]
    pd.testing.assert_frame_equal(here.model.predict(rows), apart.model.predict(rows))
    timings = ("search_seconds", "backtest_seconds", "fit_seconds")
    cards = [{k: v for k, v in c.card().items() if k not in timings} for c in (here, apart)]
    pd.testing.assert_series_equal(pd.Series(cards[0]), pd.Series(cards[1]))
