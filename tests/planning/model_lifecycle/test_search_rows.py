"""The search's rows, sampled among target positions before any row is copied, are exactly the
rows the search drew when it copied every target row first."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.metrics import series_scales
from supplymesh.planning.forecasting.model import ForecastParams, training_rows
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.model_lifecycle.tuning import SCALE_COLUMN, SearchConfig, _search_rows
from tests.planning.synthetic import make_features


def search_rows_as_before(history, incumbent, config) -> pd.DataFrame:
    """``_search_rows`` as it was: every target row copied, merged with its scale, sampled."""
    scales = series_scales(history).rename(columns={"scale": SCALE_COLUMN})
    rows = training_rows(history, incumbent.impute_lost_sales)
    rows = rows.merge(scales, on=SERIES_KEYS, how="left")
    rows = rows[rows[SCALE_COLUMN] > 0]
    if len(rows) > config.max_rows:
        rng = np.random.default_rng(config.random_state)
        rows = rows.iloc[np.sort(rng.choice(len(rows), config.max_rows, replace=False))]
    return rows.sort_values("demand_date", kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    features = make_features(n_skus=3, n_locations=2, history_days=200, seed=8, stockout_rate=0.08)
    frame = prepare_frame(features)[0]
    return add_origin_features(frame[frame["_history"]], DAILY_MART, 14)


@pytest.mark.parametrize("impute", [False, True])
@pytest.mark.parametrize("max_rows", [400, 10**6])  # sampled, and every row
def test_search_rows_are_the_rows_drawn_before(history, impute, max_rows):
    incumbent = ForecastParams(horizon=14, impute_lost_sales=impute)
    config = SearchConfig(enabled=True, n_candidates=2, n_splits=2, max_rows=max_rows)
    expected = search_rows_as_before(history, incumbent, config)
    assert len(expected) == min(max_rows, len(expected)) > 0
    pd.testing.assert_frame_equal(_search_rows(history, incumbent, config, DAILY_MART), expected)
