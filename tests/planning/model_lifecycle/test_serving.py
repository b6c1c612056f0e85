"""The serving champion: a clear error when none serves, its forecast carries its measured error,
and drift of the latest demand against its training reference is caught."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecast_choice.candidates import Candidates, Choice
from supplymesh.planning.forecast_choice.conformal import ConformalQuantiles
from supplymesh.planning.forecast_choice.demand_classes import classify_demand
from supplymesh.planning.forecast_choice.selection import FinalChoice
from supplymesh.planning.forecasting.backtest import DEMAND_COLUMNS
from supplymesh.planning.forecasting.forecast import forecast_demand, prepare_frame
from supplymesh.planning.forecasting.metrics import series_scales
from supplymesh.planning.forecasting.origin_features import read_back_periods
from supplymesh.planning.forecasting.peers import forecast_peers
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


def _peer_choice(for_class: str, pooled_q: float) -> FinalChoice:
    """A champion's serving choice: AutoETS for ``for_class``, the model for every other class,
    and one pooled conformal quantile of the scaled residuals."""
    candidates = Candidates(
        {"model": "p50", "seasonal_naive": "seasonal_naive", "auto_ets": "auto_ets"}
    )
    empty_steps = pd.DataFrame(columns=["step", "q", "n"])
    quantiles = ConformalQuantiles(
        0.9,
        50,
        pd.DataFrame(columns=["demand_class", "step", "q", "n"]),
        empty_steps,
        pooled_q,
        500,
    )
    by_class = {
        "all": (Choice(("model",), 1.0, 10), "global"),
        for_class: (Choice(("auto_ets",), 0.8, 20), "class"),
    }
    return FinalChoice(by_class, quantiles, candidates)


def test_a_class_whose_choice_is_a_peer_is_served_by_it_and_the_others_by_the_model(
    features, forecast_and_model
):
    """Intermittent series (demand on one day in four) chose AutoETS; the smooth ones keep the
    model's forecast exactly, and the peer's series get AutoETS's forecast with the conformal
    P90 (P50 plus the quantile times the series' MASE scale)."""
    _, model = forecast_and_model
    sparse = features["sku"].isin(features["sku"].unique()[:2])
    sparse &= pd.to_datetime(features["demand_date"]).dt.dayofyear % 4 != 0
    sparse &= features["is_history"].astype(bool)
    thinned = features.assign(units_sold=features["units_sold"].where(~sparse, 0))
    plain = _serve(model, [thinned], thinned)
    served = _serve_with(model, thinned, _peer_choice("intermittent", 1.5))
    frame, as_of = prepare_frame(thinned, model.spec)
    history = frame.loc[frame["_history"], DEMAND_COLUMNS]
    classes = classify_demand(history, as_of)
    peer_series = classes.loc[classes["demand_class"] == "intermittent", ["sku", "location_id"]]
    assert 0 < len(peer_series) < len(classes)
    at = served.forecast[["sku", "location_id"]].merge(peer_series, how="left", indicator=True)
    at = (at["_merge"] == "both").to_numpy()
    keep = ["p50", "p90"]
    pd.testing.assert_frame_equal(served.forecast.loc[~at, keep], plain.forecast.loc[~at, keep])
    targets = served.forecast.loc[at, ["sku", "location_id"]].assign(
        demand_date=pd.to_datetime(served.forecast.loc[at, "forecast_date"])
    )
    own = history.merge(peer_series)
    ets = forecast_peers(own, targets, model.spec, ["auto_ets"]).values["auto_ets"]
    assert served.forecast.loc[at, "p50"].to_numpy() == pytest.approx(ets.to_numpy())
    scale = targets.merge(series_scales(own, model.spec.season), how="left")["scale"]
    expected_p90 = np.maximum(ets.to_numpy() + 1.5 * scale.to_numpy(), ets.to_numpy())
    assert served.forecast.loc[at, "p90"].to_numpy() == pytest.approx(expected_p90)
    assert served.method_counts() == {
        "model": len(classes) - len(peer_series),
        "auto_ets": len(peer_series),
    }


def _serve_with(model, features, choice):
    return serve_forecast(
        model,
        [features],
        _backtest(features),
        _reference(features, 1.0),
        HORIZON,
        DRIFT,
        choice,
    )
