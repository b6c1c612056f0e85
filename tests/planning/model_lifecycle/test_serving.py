"""The serving champion: a clear error when none serves, its forecast carries its measured error,
and drift of the latest demand against its training reference is caught."""

from dataclasses import replace

import pandas as pd
import pytest

from supplymesh.planning.forecasting.forecast import forecast_demand
from supplymesh.planning.forecasting.origin_features import read_back_periods
from supplymesh.planning.model_lifecycle.drift import DriftConfig
from supplymesh.planning.model_lifecycle.serving import (
    NoServingModelError,
    serve_forecast,
    serving_model,
)
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_features

HORIZON = 28
DRIFT = DriftConfig.from_settings(default_planning_settings())


def _registry(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["model_version", "status", "decision"])


def test_no_model_yet_says_to_materialize_the_registry():
    with pytest.raises(NoServingModelError, match="materialize ml/forecast_models_v1 first"):
        serving_model(_registry([]))


def test_a_model_awaiting_approval_is_named_in_the_hint():
    registry = _registry([("v1", "rejected", "reject"), ("v2", "candidate", "awaiting_approval")])
    with pytest.raises(NoServingModelError, match="mesh forecast approve v2 --by NAME"):
        serving_model(registry)


def _backtest(features: pd.DataFrame) -> pd.DataFrame:
    """One backtest window whose P50 misses every actual by exactly 2 units."""
    history = features[features["is_history"]].assign(
        demand_date=lambda f: pd.to_datetime(f["demand_date"])
    )
    origin = history["demand_date"].max() - pd.Timedelta(days=HORIZON)
    window = history[history["demand_date"] > origin]
    return window[["sku", "location_id", "demand_date", "is_stockout"]].assign(
        origin=origin,
        step=(window["demand_date"] - origin).dt.days,
        actual=window["units_sold"],
        p50=window["units_sold"] + 2.0,
    )


def _reference(features: pd.DataFrame, scale: float) -> pd.DataFrame:
    history = features[features["is_history"] & ~features["is_stockout"]]
    return history[["units_sold"]].assign(units_sold=history["units_sold"] * scale)


def _serve(model, chunks, features, scale=1.0, drift=DRIFT):
    return serve_forecast(
        model, chunks, _backtest(features), _reference(features, scale), HORIZON, drift
    )


def test_the_champion_forecast_carries_its_backtest_error(features, forecast_and_model):
    _, model = forecast_and_model
    forecast = _serve(model, [features], features).forecast
    series = features[["sku", "location_id"]].drop_duplicates()
    assert len(forecast) == len(series) * HORIZON
    assert forecast["horizon_day"].between(1, HORIZON).all()
    assert forecast["error_std_daily"].to_numpy() == pytest.approx(2.0)


def test_recent_demand_like_the_training_reference_does_not_drift(features, forecast_and_model):
    drift = _serve(forecast_and_model[1], [features], features).drift
    assert drift.target.passed
    assert drift.target.table["column"].tolist() == ["units_sold"]


def test_demand_far_below_the_training_reference_drifts(features, forecast_and_model):
    loose = replace(DRIFT, max_psi=0.1)
    drift = _serve(forecast_and_model[1], [features], features, 4.0, loose).drift
    assert drift.target.drifted == ["units_sold"]
    assert drift.target.describe().startswith("1 of 1 monitored columns drifted: units_sold")


def test_series_in_chunks_cut_to_the_read_back_forecast_as_the_whole_history():
    """Two years of history: the daily run reads only ``read_back_periods`` before the as-of
    date, a chunk of whole series at a time, and must publish exactly the whole-history forecast
    (and measure the same drift)."""
    features = make_features(n_skus=3, n_locations=2, history_days=730, seed=11)
    _, model = forecast_demand(features, horizon=HORIZON, model_version="test-cut")
    whole = _serve(model, [features], features)
    dates = pd.to_datetime(features["demand_date"])
    as_of = pd.to_datetime(features["as_of_date"]).max()
    cut = features[dates > as_of - pd.Timedelta(days=read_back_periods(model.spec))]
    assert len(cut) < 0.8 * len(features)  # the cut reads well under the whole history
    chunks = [part for _, part in cut.groupby("location_id", sort=False)]
    chunked = _serve(model, chunks, features)
    pd.testing.assert_frame_equal(chunked.forecast, whole.forecast)
    pd.testing.assert_frame_equal(chunked.drift.target.table, whole.drift.target.table)
