"""Features never look past the forecast origin, at any grain."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import (
    DAILY_MART,
    add_holiday_proximity,
    history_features,
    history_spec,
    period_index,
    period_start,
)
from supplymesh.planning.forecasting.origin_features import add_origin_features


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q"])
def test_period_index_round_trips(freq):
    dates = pd.Series(pd.to_datetime(["2024-02-29", "2025-01-06", "2026-11-27"]))
    starts = period_start(period_index(dates, freq), freq)
    assert (period_index(pd.Series(starts), freq) == period_index(dates, freq)).all()
    if freq == "W":
        assert (pd.DatetimeIndex(starts).dayofweek == 0).all()


def series_frame(values: np.ndarray) -> pd.DataFrame:
    days = pd.date_range("2026-01-01", periods=len(values))
    return pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "demand_date": days,
            "units_sold": values.astype(float),
            "is_stockout": False,
        }
    )


def test_origin_features_read_nothing_after_the_origin():
    frame = series_frame(np.r_[np.full(60, 5.0), np.full(28, 1000.0)])
    origin = pd.Timestamp("2026-03-01")  # day 60
    out = add_origin_features(frame, DAILY_MART, 28, origin)
    ahead = out[out["demand_date"] > origin]
    assert (ahead["recent_mean_7"] == 5.0).all() and (ahead["recent_mean_28"] == 5.0).all()
    assert ahead["step"].tolist() == list(range(1, 29))
    # training rows: a random step, and their window ends at their own origin
    history = out[out["demand_date"] <= origin]
    assert history["step"].between(1, 28).all()


def test_stockout_days_do_not_count_in_recent_levels():
    frame = series_frame(np.r_[np.full(30, 10.0), [0.0, 0.0]])
    frame.loc[30:, "is_stockout"] = True
    out = add_origin_features(frame, DAILY_MART, 28, frame["demand_date"].iloc[-1])
    assert out["recent_mean_7"].iloc[-1] == 10.0  # censored zeros left out


def test_origin_features_need_a_dense_grid():
    frame = series_frame(np.ones(30)).drop(index=[10])
    with pytest.raises(ValueError, match="dense grid"):
        add_origin_features(frame, DAILY_MART, 7)


def test_holiday_proximity_counts_days_both_ways():
    frame = series_frame(np.ones(20)).assign(is_holiday=False)
    frame.loc[10, "is_holiday"] = True
    out = add_holiday_proximity(frame)
    assert out.loc[7, "days_to_holiday"] == 3 and out.loc[12, "days_after_holiday"] == 2
    assert out.loc[0, "days_to_holiday"] == 8  # capped one past the window


@pytest.mark.parametrize(("freq", "horizon"), [("D", 14), ("W", 4), ("M", 3)])
def test_history_features_lags_are_horizon_safe(freq, horizon):
    periods = {"D": 400, "W": 110, "M": 40}[freq]
    dates = period_start(
        np.arange(periods) + period_index(pd.Series([pd.Timestamp("2023-01-02")]), freq)[0], freq
    )
    history = pd.DataFrame(
        {"item_id": "I1", "location_id": "L1", "date": dates, "quantity": np.arange(periods)}
    )
    frame = history_features(history, freq, horizon)
    spec = history_spec(freq, horizon)
    future = frame[~frame["is_history"]]
    assert len(future) == horizon and future["units_sold"].isna().all()
    # every lag of every future row is a known (history) value
    for col in spec.lags:
        if col.startswith("lag_"):
            assert future[col].notna().all(), col
    lag = spec.lags[0]
    row = frame[frame["is_history"]].iloc[-1]
    assert row[lag] == row["units_sold"] - horizon  # the series counts up by one a period
