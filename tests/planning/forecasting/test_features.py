"""Features never look past the forecast origin, at any grain."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import (
    DAILY_MART,
    add_holiday_proximity,
    history_features,
    history_spec,
    input_names,
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


def test_known_future_inputs_reach_the_horizon_per_item_and_location():
    dates = pd.date_range("2024-01-01", periods=60)
    history = pd.DataFrame(
        [(i, "L1", d, 5.0) for i in ("I1", "I2") for d in dates],
        columns=["item_id", "location_id", "date", "quantity"],
    )
    horizon = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=7)
    inputs = pd.DataFrame(
        {
            "item_id": "I1",
            "location_id": "L1",
            "date": [dates[10], horizon[2]],
            "mailer_share": [0.5, 0.25],
            "is_holiday": [False, True],
        }
    )
    frame = history_features(history, "D", 7, inputs).set_index(["sku", "demand_date"])
    assert frame.loc[("I1", horizon[2]), "mailer_share"] == 0.25  # a planned promotion ahead
    assert frame.loc[("I1", dates[10]), "mailer_share"] == 0.5
    assert frame.loc[("I2", horizon[2]), "mailer_share"] == 0.0  # nothing said: no promotion
    assert frame["mailer_share"].sum() == 0.75
    spec = history_spec("D", 7, input_names(inputs))
    assert spec.price == ("mailer_share",)
    assert spec.calendar[-3:] == ("is_holiday", "days_to_holiday", "days_after_holiday")
    weekly = history_features(history, "W", 2, inputs.drop(columns="item_id"))
    week = weekly[weekly["demand_date"] == pd.Timestamp("2024-01-08")]
    assert week["mailer_share"].tolist() == [0.5, 0.5]  # both items: the mean of the rows given


def test_known_future_inputs_must_be_numbers_with_a_date():
    history = pd.DataFrame(
        {
            "item_id": "I1",
            "location_id": "L1",
            "date": pd.date_range("2024-01-01", periods=30),
            "quantity": 1.0,
        }
    )
    with pytest.raises(ValueError, match="numbers or booleans"):
        history_features(history, "D", 7, history[["date"]].assign(kind="promo"))
    with pytest.raises(ValueError, match=r"\['units_sold'\] have the names"):
        history_features(history, "D", 7, history[["date"]].assign(units_sold=1.0))
    with pytest.raises(ValueError, match="a date column"):
        history_features(history, "D", 7, pd.DataFrame({"item_id": ["I1"], "share": [1.0]}))
