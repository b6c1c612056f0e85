import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.forecast import (
    FORECAST_COLUMNS,
    PUBLISHED_FORECAST_COLUMNS,
    attach_error_std,
    forecast_demand,
    score_holdout,
)
from supplymesh.planning.forecasting.model import ForecastParams, training_rows
from tests.planning.synthetic import AS_OF, make_features


def test_model_beats_seasonal_naive_on_a_promotion_signal(holdout):
    assert holdout.model.mase < 0.8 * holdout.naive.mase
    assert holdout.model.mase_total < holdout.naive.mase_total
    assert holdout.model.wape < holdout.naive.wape
    assert abs(holdout.model.bias) < 0.1
    assert holdout.model.n_series == 12


def test_p90_is_roughly_calibrated(holdout):
    assert 0.8 <= holdout.model.p90_coverage <= 0.97
    assert holdout.naive.p90_coverage is None


def test_holdout_scores_only_days_without_stockout(holdout, features):
    preds = holdout.predictions
    assert holdout.origin == AS_OF - pd.Timedelta(days=28)
    assert preds["demand_date"].min() == holdout.origin + pd.Timedelta(days=1)
    assert preds["is_stockout"].any()  # the fixture has some in the holdout window
    assert holdout.model.n_rows == int((~preds["is_stockout"]).sum())


def test_training_rows_drop_stockout_days_and_missing_sales(features):
    rows = training_rows(features)
    assert not rows["is_stockout"].any()
    assert rows["units_sold"].notna().all()
    assert len(rows) == int((features["is_history"] & ~features["is_stockout"]).sum())


def test_forecast_output_contract(forecast_and_model, features):
    fc, model = forecast_and_model
    assert list(fc.columns) == FORECAST_COLUMNS
    assert len(fc) == 6 * 2 * 28
    assert (fc["p50"] >= 0).all() and (fc["p90"] >= fc["p50"]).all()
    assert (fc["seasonal_naive"] >= 0).all()
    assert set(fc["horizon_day"]) == set(range(1, 29))
    assert fc["horizon_day"].dtype == np.int64
    assert (fc["forecast_origin"] == AS_OF.date()).all()
    assert (pd.to_datetime(fc["forecast_date"]) - AS_OF).dt.days.equals(fc["horizon_day"])
    assert (fc["model_version"] == "test-1").all()
    assert not fc.duplicated(["sku", "location_id", "forecast_date"]).any()
    assert model.n_train_rows == len(training_rows(features))


def test_forecast_follows_promotions(forecast_and_model, features):
    fc, _ = forecast_and_model
    future = features[~features["is_history"]]
    joined = fc.merge(
        future.assign(forecast_date=future["demand_date"])[
            ["sku", "location_id", "forecast_date", "is_promo"]
        ],
        on=["sku", "location_id", "forecast_date"],
    )
    ratio = joined.groupby(["sku", "location_id", "is_promo"])["p50"].mean().unstack()
    both = ratio.dropna()
    assert len(both) > 0
    assert (both[True] > both[False]).mean() >= 0.75


def test_forecast_is_deterministic_and_accepts_squared_loss(features, forecast_and_model):
    small = features[features["sku"].isin(["SKU0000", "SKU0001"])]
    a, _ = forecast_demand(small, 28, params=ForecastParams(loss="squared_error", max_iter=30))
    b, _ = forecast_demand(small, 28, params=ForecastParams(loss="squared_error", max_iter=30))
    pd.testing.assert_frame_equal(a, b)
    assert (a["p50"] >= 0).all() and (a["p90"] >= a["p50"]).all()


def test_training_sample_cap_is_respected():
    f = make_features(n_skus=2, n_locations=1, history_days=200, seed=3)
    _, model = forecast_demand(
        f, 28, params=ForecastParams(max_train_rows=150, max_iter=20, p90_max_iter=20)
    )
    assert model.n_fit_rows == 150 and model.n_train_rows > 150


def test_sampled_fit_does_not_depend_on_the_rows_stored_order():
    """The sample is drawn by position: the fit sees the rows in series order, never as stored."""
    f = make_features(n_skus=2, n_locations=2, history_days=200, seed=3)
    params = ForecastParams(max_train_rows=150, max_iter=20, p90_max_iter=20)
    shuffled = f.iloc[np.random.default_rng(1).permutation(len(f))].reset_index(drop=True)
    as_stored, _ = forecast_demand(f, 28, params=params)
    reordered, _ = forecast_demand(shuffled, 28, params=params)
    pd.testing.assert_frame_equal(as_stored, reordered)
    held_out = score_holdout(f, 28, params=params).predictions
    held_out_reordered = score_holdout(shuffled, 28, params=params).predictions
    pd.testing.assert_frame_equal(held_out, held_out_reordered)


def test_error_std_per_series(error_std, forecast_and_model):
    fc, _ = forecast_and_model
    assert list(error_std.columns) == [
        "sku",
        "location_id",
        "demand_std_daily",
        "mean_daily_forecast",
    ]
    assert len(error_std) == 12
    assert (error_std["demand_std_daily"] > 0).all()
    means = fc.groupby(["sku", "location_id"])["p50"].mean()
    np.testing.assert_allclose(
        error_std.set_index(["sku", "location_id"])["mean_daily_forecast"].loc[means.index], means
    )
    published = attach_error_std(fc, error_std)
    assert list(published.columns) == PUBLISHED_FORECAST_COLUMNS
    assert len(published) == len(fc)
