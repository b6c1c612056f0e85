"""The demand model's estimators: fitted in a worker process they equal those fitted here, and
the P90 model fits on a sample of the P50's rows when asked to."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.fit_workers import fit_workers
from supplymesh.planning.forecasting import model as model_module
from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.model import (
    ForecastParams,
    categories_as_text,
    fit_demand_model,
    start_fit,
)
from supplymesh.planning.forecasting.origin_features import add_origin_features

FAST = ForecastParams(horizon=28, max_iter=40, p90_max_iter=30)


@pytest.fixture(scope="module")
def history(features):
    frame = prepare_frame(features)[0]
    return add_origin_features(frame[frame["_history"]], DAILY_MART, 28)


def test_a_fit_in_worker_processes_equals_the_fit_here(history):
    here = fit_demand_model(history, FAST)
    with fit_workers(2, min_rows=1) as workers:
        pending = start_fit(history, FAST, workers=workers)
        apart = pending.result()
        assert workers._pool is not None
    rows = history.sample(500, random_state=1)
    pd.testing.assert_frame_equal(here.predict(rows), apart.predict(rows))
    assert apart.p90_model.n_iter_ == 30
    assert pending.seconds() > pending.prepared_in > 0


@pytest.mark.parametrize("cap", [None, 1_000])
def test_the_p90_model_fits_on_a_sample_of_the_p50_rows(history, monkeypatch, cap):
    fitted = []
    fit = model_module.fit_estimator

    def recording(estimator, x, y, weight, n_threads):
        fitted.append((estimator.loss, len(x), len(y), len(weight)))
        return fit(estimator, x, y, weight, n_threads)

    monkeypatch.setattr(model_module, "fit_estimator", recording)
    model = fit_demand_model(history, FAST.with_values(p90_max_train_rows=cap))
    n = model.n_fit_rows
    assert n > 1_000
    assert fitted == [("poisson", n, n, n), ("quantile", *[cap or n] * 3)]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["a", "b", None, np.nan, "c", "a"], dtype=object),
        pd.Series(pd.Categorical(["x", "y", None, "x"])),
        pd.Series([1, 2, 3, 1]),
        pd.Series([1.0, np.nan, 2.5]),
    ],
)
def test_categories_as_text_equal_a_categorical_of_the_values_as_text(values):
    categories = ["1", "1.0", "3", "None", "a", "b", "nan", "x"]
    expected = pd.Categorical(values.astype(str), categories=categories)
    np.testing.assert_array_equal(categories_as_text(values, categories).codes, expected.codes)
