"""Training with lost sales imputed: the setting off trains exactly as before, on it trains on the
estimates, and the backtest and the search score recorded sales only."""

import json

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.backtest import run_backtest
from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.lost_sales import impute_lost_sales
from supplymesh.planning.forecasting.model import (
    ForecastParams,
    fit_demand_model,
    training_rows,
)
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.model_lifecycle.training import TrainingConfig, params_from_json
from supplymesh.planning.model_lifecycle.tuning import SCALE_COLUMN, DemandRegressor, mase_scorer
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_features

FAST = ForecastParams(horizon=14, max_iter=40, p90_max_iter=30)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    features = make_features(n_skus=3, n_locations=2, history_days=240, seed=9, stockout_rate=0.06)
    frame = prepare_frame(features)[0]
    return add_origin_features(frame[frame["_history"]], DAILY_MART, 14)


def test_the_setting_off_gives_exactly_todays_training_frame(history):
    today = history.loc[history["units_sold"].notna() & ~history["is_stockout"].astype(bool)]
    pd.testing.assert_frame_equal(training_rows(history), today)
    # even a frame that carries estimates trains on recorded days only while the setting is off
    estimated = impute_lost_sales(history)
    pd.testing.assert_frame_equal(training_rows(estimated).drop(columns="is_imputed"), today)
    # a direct fit does not impute unless asked (the planning setting asks, see below)
    assert ForecastParams().impute_lost_sales is False


def test_the_setting_on_trains_on_estimated_stockout_days(history):
    rows = training_rows(history, impute=True)
    stockout = history["is_stockout"].astype(bool)
    assert rows["is_imputed"].sum() == stockout.sum()  # every one of them had neighbours
    recorded = rows[~rows["is_imputed"]].drop(columns="is_imputed")
    pd.testing.assert_frame_equal(recorded, training_rows(history))
    lifted = rows.loc[rows["is_imputed"], "units_sold"] - history.loc[stockout, "units_sold"]
    assert (lifted >= 0).all() and lifted.sum() > 0
    off = fit_demand_model(history, FAST)
    on = fit_demand_model(history, FAST.with_values(impute_lost_sales=True))
    assert on.n_train_rows == off.n_train_rows + stockout.sum()
    assert on.predict(history)["p50"].sum() > off.predict(history)["p50"].sum()


def test_a_backtest_with_imputation_scores_recorded_sales_only():
    features = make_features(n_skus=3, n_locations=2, history_days=240, seed=9, stockout_rate=0.06)
    params = FAST.with_values(impute_lost_sales=True)
    backtest = run_backtest(features, params, horizon=14, n_origins=2)
    p = backtest.predictions
    recorded = p[["sku", "location_id", "demand_date"]].merge(
        prepare_frame(features)[0][["sku", "location_id", "demand_date", "units_sold"]],
        on=["sku", "location_id", "demand_date"],
    )
    np.testing.assert_array_equal(p["actual"].to_numpy(), recorded["units_sold"].to_numpy())
    assert p["is_stockout"].any()
    assert backtest.summary()["model"].n_rows == int((~p["is_stockout"]).sum())


def test_the_search_never_scores_an_imputed_row(history):
    rows = training_rows(history, impute=True).assign(**{SCALE_COLUMN: 1.0})
    y = rows["units_sold"].to_numpy(float)
    estimator = DemandRegressor(max_iter=30, impute_lost_sales=True).fit(rows, y)
    score = mase_scorer(estimator, rows, y)
    wild = np.where(rows["is_imputed"], y + 1_000.0, y)  # imputed targets far off
    assert mase_scorer(estimator, rows, wild) == score
    assert mase_scorer(estimator, rows, y + 1_000.0) < score


def test_training_takes_the_setting_and_old_recipes_did_not_impute():
    settings = default_planning_settings().updated({"model": {"impute_lost_sales": True}}, "test")
    config = TrainingConfig.from_settings(settings)
    assert config.params.impute_lost_sales is True
    recipe = ForecastParams(horizon=28).recipe()
    old = json.dumps({k: v for k, v in recipe.items() if k != "impute_lost_sales"})
    assert params_from_json(old, config.params).impute_lost_sales is False
    assert params_from_json(json.dumps(config.params.recipe()), config.params).impute_lost_sales
