"""What the planners read from dbt's marts: whole series per chunk, a stable training sample of
series, and every series' level encodings measured as the model measures them."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.model import (
    LEVEL_FEATURES,
    ForecastParams,
    _levels,
    fit_demand_model,
    training_rows,
    with_levels_of_unseen_series,
)
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning_inputs import (
    FEATURES_MART,
    read_mart,
    series_chunks,
    series_levels,
    training_series,
)
from supplymesh.settings import MeshPaths
from tests.planning.synthetic import make_features


@pytest.fixture(scope="module")
def mart(tmp_path_factory) -> tuple[MeshPaths, pd.DataFrame]:
    """A features mart of 5 SKUs x 3 DCs in a real DuckDB file, as dbt leaves it."""
    paths = MeshPaths(tmp_path_factory.mktemp("mesh"))
    features = make_features(n_skus=5, n_locations=3, history_days=200, seed=3)
    with duckdb.connect(str(paths.transforms_db)) as con:
        con.execute("CREATE SCHEMA marts")
        con.register("_features", features)
        con.execute(f"CREATE TABLE marts.{FEATURES_MART} AS SELECT * FROM _features")
    return paths, features


def _series(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(map(tuple, frame[SERIES_KEYS].astype(str).drop_duplicates().to_numpy()))


def test_chunks_hold_whole_series_and_every_row_once(mart):
    paths, features = mart
    chunks = list(series_chunks(paths, FEATURES_MART, ["sku", "location_id"], series_per_chunk=4))
    assert len(chunks) == 4  # 15 series, at most about 4 per chunk
    seen = [_series(c) for c in chunks]
    assert all(a.isdisjoint(b) for i, a in enumerate(seen) for b in seen[i + 1 :])
    assert set().union(*seen) == _series(features)
    assert sum(map(len, chunks)) == len(features)


def test_read_mart_reads_only_the_columns_and_rows_asked(mart):
    paths, features = mart
    history = read_mart(paths, FEATURES_MART, ["sku", "units_sold"], "is_history")
    assert list(history.columns) == ["sku", "units_sold"]
    assert len(history) == int(features["is_history"].sum())


def test_training_sample_is_every_series_up_to_the_bound_then_a_stable_subset(mart):
    paths, _ = mart
    assert training_series(paths, 15) is None
    condition = training_series(paths, 6)
    sample = read_mart(paths, FEATURES_MART, SERIES_KEYS, condition)
    assert len(_series(sample)) == 6
    assert _series(sample) == _series(read_mart(paths, FEATURES_MART, SERIES_KEYS, condition))


def test_series_levels_are_the_models_own_level_encodings(mart):
    paths, features = mart
    frame, _ = prepare_frame(features)
    expected_levels, expected_dow = _levels(training_rows(frame[frame["_history"]]))
    levels, dow = series_levels(paths)
    key = [*SERIES_KEYS]
    got = levels.sort_values(key).reset_index(drop=True)
    pd.testing.assert_series_equal(
        got["series_level"], expected_levels.sort_values(key)["series_level"].reset_index(drop=True)
    )
    key_dow = [*SERIES_KEYS, "day_of_week"]
    np.testing.assert_allclose(
        dow.sort_values(key_dow)["series_dow_level"].to_numpy(),
        expected_dow.sort_values(key_dow)["series_dow_level"].to_numpy(),
    )


def test_a_model_fitted_on_a_sample_gets_every_unseen_series_level(mart):
    paths, features = mart
    sample = read_mart(paths, FEATURES_MART, where=training_series(paths, 6))
    params = ForecastParams(horizon=28, max_iter=10, p90_max_iter=5)
    model = fit_demand_model(prepare_frame(sample)[0].query("_history"), params)
    extended = with_levels_of_unseen_series(model, *series_levels(paths))
    assert _series(extended.series_levels) == _series(features)
    assert len(extended.dow_levels) == 15 * 7
    kept = extended.series_levels.merge(model.series_levels, on=SERIES_KEYS)
    assert (kept["series_level_x"] == kept["series_level_y"]).all()  # fitted levels untouched
    frame = add_origin_features(prepare_frame(features)[0], model.spec, 28)
    unseen = frame[
        ~frame.set_index(SERIES_KEYS).index.isin(model.series_levels.set_index(SERIES_KEYS).index)
    ]
    assert len(unseen) and model.design_matrix(unseen)[LEVEL_FEATURES].isna().all().all()
    assert extended.design_matrix(unseen)[LEVEL_FEATURES].notna().all().all()
