"""Grouped permutation importance: correlated lags judged together, every input counted once."""

import pandas as pd

from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.model_lifecycle.explain import (
    feature_groups,
    grouped_permutation_importance,
)
from tests.planning.synthetic import AS_OF


def test_lag_and_rolling_columns_share_one_group():
    groups = feature_groups(
        ["lag_28", "rolling_mean_7_lag28", "recent_mean_7", "is_promo", "sku", "odd"]
    )
    assert groups["demand history (lags, rolling, recent, levels)"] == [
        "lag_28",
        "rolling_mean_7_lag28",
        "recent_mean_7",
    ]
    assert groups["odd"] == ["odd"]


def test_demand_history_and_promotions_matter_most(forecast_and_model, features):
    _, model = forecast_and_model
    frame, _ = prepare_frame(features, model.spec)
    rows = add_origin_features(frame, model.spec, 28, AS_OF - pd.Timedelta(days=28))
    rows = rows[rows["_history"] & ~rows["is_stockout"]].tail(2000)
    table = grouped_permutation_importance(model, rows, n_repeats=2)
    covered = sorted(f for fs in table["features"] for f in fs.split(", "))
    assert covered == sorted(model.feature_names)
    top = table["group"].iloc[0]
    assert top.startswith("demand history")
    promo = table.set_index("group").at["promotion and price", "mae_increase"]
    assert promo > 0.0
