"""The statistical peers: scored on the model's own origins and rows, right on known series."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.backtest import FORECAST_COLUMN, P90_COLUMN, run_backtest
from supplymesh.planning.forecasting.baseline import seasonal_naive
from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.forecasting.peers import (
    MODEL_MEDIAN,
    PEERS,
    RUNS,
    forecast_peers,
    peers_from_text,
    sample_series,
)
from tests.planning.synthetic import make_features

FAST = ForecastParams(max_iter=30, p90_max_iter=20)


@pytest.fixture(scope="module")
def backtest():
    features = make_features(n_skus=3, n_locations=1, history_days=150, seed=3)
    return run_backtest(features, FAST, horizon=7, n_origins=2, peers=PEERS)


def history(values: np.ndarray, stockout: np.ndarray | None = None) -> pd.DataFrame:
    days = pd.date_range("2026-01-01", periods=len(values))
    return pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "demand_date": days,
            "units_sold": values.astype(float),
            "is_stockout": np.zeros(len(values), bool) if stockout is None else stockout,
        }
    )


def targets_after(hist: pd.DataFrame, horizon: int) -> pd.DataFrame:
    last = hist["demand_date"].max()
    days = pd.date_range(last + pd.Timedelta(days=1), periods=horizon)
    return pd.DataFrame({"sku": "A", "location_id": "DC1", "demand_date": days})


def test_peers_are_scored_on_exactly_the_models_origins_and_rows(backtest):
    p = backtest.predictions
    assert backtest.methods == ("model", "seasonal_naive", "moving_average", *PEERS)
    for peer in PEERS:
        assert p[FORECAST_COLUMN[peer]].notna().all(), peer
        assert (p[FORECAST_COLUMN[peer]] >= 0).all()
    summary = backtest.summary()
    for method, m in summary.items():
        assert (m.n_rows, m.n_series) == (summary["model"].n_rows, summary["model"].n_series)
        assert (m.p90_coverage is not None) == (method in P90_COLUMN), method
    assert set(p["origin"]) == set(backtest.origins)
    table = backtest.table("fm-test")
    assert set(table["method"]) == set(backtest.methods)
    published = backtest.table("fm-test", ["model", "seasonal_naive", "moving_average"])
    assert set(published["method"]) == {"model", "seasonal_naive", "moving_average"}
    assert backtest.best_peer() in backtest.methods[1:]
    assert set(backtest.seconds) == set(backtest.methods)


def test_a_constant_series_gets_a_flat_forecast_from_every_peer():
    hist = history(np.full(70, 12.0))
    out = forecast_peers(hist, targets_after(hist, 7), DAILY_MART).values
    for peer in ("auto_ets", "auto_theta", "tsb", "adida"):
        assert out[peer].to_numpy() == pytest.approx(np.full(7, 12.0), abs=1e-6), peer
    # Croston's SBA debiasing: 0.95 of the demand size over the interval (1 period here)
    assert out["croston_sba"].to_numpy() == pytest.approx(np.full(7, 0.95 * 12.0), abs=1e-6)
    assert (out["auto_ets_p90"] >= out["auto_ets"] - 1e-9).all()


def test_a_pure_weekly_pattern_is_repeated_exactly_by_seasonal_naive_and_closely_by_ets():
    week = np.array([5.0, 7.0, 9.0, 11.0, 20.0, 30.0, 2.0])
    hist = history(np.tile(week, 12))
    targets = targets_after(hist, 14)
    expected = np.tile(week, 2)
    origin = hist["demand_date"].max()
    assert seasonal_naive(hist, targets, origin, 7, "D") == pytest.approx(expected)
    ets = forecast_peers(hist, targets, DAILY_MART, ["auto_ets"]).values["auto_ets"]
    assert np.abs(ets.to_numpy() - expected).max() < 0.05 * expected.mean()


def test_stockout_days_are_bridged_not_learnt_as_demand():
    values = np.full(60, 10.0)
    values[-6:] = 0.0  # sold out for the last six days: censored sales, not demand
    stockout = np.zeros(60, bool)
    stockout[-6:] = True
    hist = history(values, stockout)
    out = forecast_peers(hist, targets_after(hist, 7), DAILY_MART).values
    for peer in PEERS:
        assert out[peer].to_numpy() == pytest.approx(np.full(7, 10.0), rel=0.06), peer
    blind = forecast_peers(history(values), targets_after(hist, 7), DAILY_MART).values
    assert blind["auto_ets"].mean() < 5.0  # without the flags the dip would be learnt


def test_a_series_too_short_for_ets_falls_back_to_the_last_value():
    hist = history(np.array([3.0, 4.0, 6.0]))
    out = forecast_peers(hist, targets_after(hist, 3), DAILY_MART, ["auto_ets"]).values
    assert out["auto_ets"].to_numpy() == pytest.approx([6.0, 6.0, 6.0])
    assert out["auto_ets_p90"].notna().all()


def test_training_scores_peers_on_a_stable_sample_of_series():
    features = make_features(n_skus=4, n_locations=1, history_days=120, seed=5)
    sampled = run_backtest(
        features, FAST, horizon=7, n_origins=1, peers=["tsb", "adida"], peer_series=2
    )
    p = sampled.predictions
    covered = p.loc[p["tsb"].notna(), ["sku", "location_id"]].drop_duplicates()
    keys = features[["sku", "location_id"]]
    shuffled = keys.sample(frac=1.0, random_state=1)
    assert covered.sort_values("sku").to_numpy().tolist() == (
        sample_series(shuffled, 2).sort_values("sku").to_numpy().tolist()
    )
    assert sampled.metrics("tsb").n_series == 2 and sampled.metrics("model").n_series == 4
    assert np.isnan(sampled.metrics("tsb").mase_total)  # a sample has no network total
    on_sample = sampled.metrics("model", series=covered)
    assert on_sample.n_series == 2 and on_sample.n_rows == sampled.metrics("tsb").n_rows
    meta = sampled.as_metadata()
    assert meta["backtest_peer_series"] == "2 of 4 series (stable hash sample)"
    assert meta["model_mase_on_peer_sample"] == pytest.approx(on_sample.mase, abs=1e-4)
    assert "best_peer_mase_on_peer_sample" in meta


def test_peer_names_are_checked():
    assert peers_from_text("all") == RUNS and peers_from_text("none") == ()
    assert RUNS[: len(PEERS)] == PEERS  # then the forecaster's own candidates
    assert peers_from_text("tsb, auto_ets") == ("auto_ets", "tsb")
    with pytest.raises(ValueError, match="unknown peers"):
        peers_from_text("auto_arima")


def test_a_training_round_cannot_ask_for_a_method_it_could_not_serve():
    assert MODEL_MEDIAN in peers_from_text("all")
    assert peers_from_text("all", served=True) == tuple(p for p in RUNS if p != MODEL_MEDIAN)
    with pytest.raises(ValueError, match="mesh forecast backtest"):
        peers_from_text(f"auto_ets, {MODEL_MEDIAN}", served=True)
    hist = history(np.arange(30.0))
    with pytest.raises(ValueError, match="feature rows"):
        forecast_peers(hist, targets_after(hist, 3), DAILY_MART, [MODEL_MEDIAN])


def test_the_median_model_forecasts_below_the_mean_model_on_skewed_demand():
    """Demand mostly 2 with rare spikes of 40: the absolute-error fit follows the median (2),
    the Poisson model toward the mean (5.8)."""
    rng = np.random.default_rng(4)
    features = make_features(n_skus=3, n_locations=1, history_days=150, seed=4)
    spikes = rng.random(len(features)) < 0.1
    features["units_sold"] = np.where(spikes, 40.0, 2.0)
    features["is_stockout"] = False
    bt = run_backtest(features, FAST, horizon=7, n_origins=2, peers=[MODEL_MEDIAN])
    p = bt.predictions
    assert bt.methods[-1] == MODEL_MEDIAN and p[MODEL_MEDIAN].notna().all()
    assert p[MODEL_MEDIAN].median() == pytest.approx(2.0, abs=0.5)
    assert p["p50"].mean() > 1.5 * p[MODEL_MEDIAN].mean()
    assert bt.seconds[MODEL_MEDIAN] > 0 and MODEL_MEDIAN not in P90_COLUMN
