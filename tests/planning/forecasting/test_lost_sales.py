"""Lost-sales imputation: only stock-out days change, they are marked, and the estimate recovers
the demand a censored day hid."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.lost_sales import impute_lost_sales
from tests.planning.synthetic import make_features

WEEKLY = np.array([1.2, 1.0, 1.0, 1.1, 1.3, 0.8, 0.4])  # Monday..Sunday


def weekly_series(
    n_days: int = 140, level: float = 20.0, seed: int = 0, noise: bool = True
) -> pd.DataFrame:
    """One series whose expected demand is ``level * WEEKLY[weekday]``, Poisson around it."""
    days = pd.date_range("2026-01-05", periods=n_days)  # a Monday
    expected = level * WEEKLY[days.dayofweek]
    rng = np.random.default_rng(seed)
    sold = rng.poisson(expected).astype(float) if noise else expected.astype(float)
    return pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "demand_date": days,
            "units_sold": sold,
            "is_stockout": False,
            "expected": expected,
        }
    )


def test_rows_that_are_not_stockouts_come_back_bit_identical():
    frame = make_features(n_skus=3, n_locations=2, history_days=200, seed=3, stockout_rate=0.05)
    frame = frame.sample(frac=1.0, random_state=0)  # any row order
    out = impute_lost_sales(frame)
    assert list(out.index) == list(frame.index)
    untouched = ~frame["is_stockout"].astype(bool)
    pd.testing.assert_frame_equal(out.loc[untouched, frame.columns], frame.loc[untouched])
    changed = out["units_sold"].ne(frame["units_sold"]) & frame["units_sold"].notna()
    assert changed.any()
    assert frame.loc[changed, "is_stockout"].all()


def test_imputed_flag_marks_exactly_the_estimated_stockout_days_and_never_lowers_them():
    frame = make_features(n_skus=3, n_locations=2, history_days=200, seed=4, stockout_rate=0.05)
    out = impute_lost_sales(frame)
    assert out["is_imputed"].dtype == bool
    stockout = frame["is_stockout"].astype(bool)
    assert stockout.any()
    assert not out.loc[~stockout, "is_imputed"].any()
    assert out.loc[stockout, "is_imputed"].mean() > 0.9  # a few may lack neighbours
    imputed = out["is_imputed"]
    assert (out.loc[imputed, "units_sold"] >= frame.loc[imputed, "units_sold"]).all()
    assert (out.loc[imputed, "units_sold"] > frame.loc[imputed, "units_sold"]).any()


def test_future_rows_without_sales_are_never_estimated():
    frame = make_features(n_skus=2, n_locations=1, history_days=120, seed=5)
    frame.loc[~frame["is_history"], "is_stockout"] = True  # even if a future row said so
    out = impute_lost_sales(frame)
    future = ~frame["is_history"]
    assert out.loc[future, "units_sold"].isna().all()
    assert not out.loc[future, "is_imputed"].any()


def test_the_estimate_recovers_a_known_weekly_pattern():
    frame = weekly_series(n_days=210, seed=1)
    rng = np.random.default_rng(2)
    stockout = np.zeros(len(frame), dtype=bool)
    stockout[rng.choice(np.arange(28, 182), size=40, replace=False)] = True
    frame["is_stockout"] = stockout
    frame.loc[stockout, "units_sold"] = 0.0  # fully censored: nothing on the shelf
    out = impute_lost_sales(frame)
    assert out.loc[stockout, "is_imputed"].all()
    got = out[stockout].groupby(out["demand_date"].dt.dayofweek)["units_sold"].mean()
    want = out[stockout].groupby(out["demand_date"].dt.dayofweek)["expected"].mean()
    assert np.allclose(got, want, rtol=0.12), (got, want)
    # overall, an unbiased estimate of the expected demand (Poisson noise averages out)
    total = out.loc[stockout, "units_sold"].sum() / out.loc[stockout, "expected"].sum()
    assert total == pytest.approx(1.0, abs=0.04)


def test_a_partial_stockout_day_keeps_what_it_sold_when_that_is_more():
    frame = weekly_series(n_days=70, noise=False)
    day = 35  # a Monday: expected 24
    frame.loc[day, ["units_sold", "is_stockout"]] = [30.0, True]
    frame.loc[day + 7, ["units_sold", "is_stockout"]] = [5.0, True]
    out = impute_lost_sales(frame)
    assert out.loc[day, "units_sold"] == 30.0
    assert out.loc[day + 7, "units_sold"] == pytest.approx(24.0)
    assert out.loc[[day, day + 7], "is_imputed"].all()


def test_a_discounted_stockout_day_is_scaled_by_the_fitted_elasticity():
    frame = weekly_series(n_days=196, noise=False)
    elasticity = 2.0
    ratio = np.ones(len(frame))
    for start in range(14, 182, 28):  # a week-long 30 % discount every four weeks
        ratio[start : start + 7] = 0.7
    frame["price_ratio"] = ratio
    frame["expected"] = frame["expected"] * ratio**-elasticity
    frame["units_sold"] = frame["expected"]
    censored = [14 + 28 * 3 + 2, 14 + 28 * 4 + 4]  # a Wednesday and a Friday on promotion
    frame.loc[censored, ["units_sold", "is_stockout"]] = [1.0, True]
    out = impute_lost_sales(frame)
    want = frame.loc[censored, "expected"].to_numpy()
    assert out.loc[censored, "units_sold"].to_numpy() == pytest.approx(want, rel=0.02)


def test_a_stockout_with_too_few_usable_neighbours_is_left_out_unmarked():
    frame = weekly_series(n_days=140, noise=False)
    frame.loc[14:90, "is_stockout"] = True  # eleven weeks without stock
    frame.loc[14:90, "units_sold"] = 0.0
    out = impute_lost_sales(frame)
    middle = 52  # four weeks of stock-outs on each side
    assert not out.loc[middle, "is_imputed"]
    assert out.loc[middle, "units_sold"] == 0.0
    assert out.loc[14, "is_imputed"]  # the first day still has weeks before it


def test_two_rows_for_one_series_and_day_are_refused():
    frame = weekly_series(n_days=30)
    frame.loc[3, "is_stockout"] = True
    with pytest.raises(ValueError, match="one row per series and period"):
        impute_lost_sales(pd.concat([frame, frame.iloc[[3]]]))
