"""Origin features built once per frame equal those built for each window the slow way."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.origin_features import OriginFeatures, add_origin_features
from tests.planning.synthetic import make_features


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame, _as_of = prepare_frame(make_features(n_skus=4, n_locations=2, history_days=400, seed=3))
    return frame[frame["_history"]]


@pytest.mark.parametrize("days_back", [28, 56, 140])
def test_a_split_equals_the_window_built_on_its_own(history, days_back):
    origin = history["demand_date"].max() - pd.Timedelta(days=days_back)
    window = history[history["demand_date"] <= origin + pd.Timedelta(days=28)]
    slow = add_origin_features(window, DAILY_MART, 28, origin)
    train, test = OriginFeatures(history, DAILY_MART, 28).split(origin)
    pd.testing.assert_frame_equal(train, slow[slow["demand_date"] <= origin])
    pd.testing.assert_frame_equal(test, slow[slow["demand_date"] > origin])


def test_a_training_row_keeps_its_step_in_every_window(history):
    full = add_origin_features(history, DAILY_MART, 28)
    part = add_origin_features(history.iloc[::-1].head(len(history) // 2), DAILY_MART, 28)
    shared = part.index
    assert (full.loc[shared, "step"] == part.loc[shared, "step"]).all()
    assert full["step"].between(1, 28).all()
    assert np.allclose(full["step"].value_counts(normalize=True).to_numpy(), 1 / 28, atol=0.02)


def test_at_an_origin_rows_after_it_count_steps_from_it(history):
    origin = history["demand_date"].max() - pd.Timedelta(days=10)
    out = OriginFeatures(history, DAILY_MART, 28).at(origin)
    ahead = out[out["demand_date"] > origin]
    assert sorted(ahead["step"].unique()) == list(range(1, 11))
    assert out.index.equals(history.index)
