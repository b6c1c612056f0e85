"""Rolling-origin backtest: origins, baselines side by side, metrics at every level."""

import pandas as pd
import pytest

from supplymesh.planning.fit_workers import fit_workers
from supplymesh.planning.forecasting.backtest import run_backtest
from supplymesh.planning.forecasting.baseline import moving_average
from supplymesh.planning.forecasting.model import ForecastParams
from tests.planning.synthetic import AS_OF, make_features

FAST = ForecastParams(max_iter=40, p90_max_iter=30)


@pytest.fixture(scope="module")
def backtest():
    features = make_features(n_skus=4, n_locations=2, history_days=300, seed=11)
    return run_backtest(features, FAST, horizon=14, n_origins=3)


def test_origins_step_back_one_horizon_from_the_as_of_date(backtest):
    assert backtest.origins == [AS_OF - pd.Timedelta(days=14 * k) for k in (3, 2, 1)]
    p = backtest.predictions
    for origin in backtest.origins:
        window = p[p["origin"] == origin]
        assert window["demand_date"].min() == origin + pd.Timedelta(days=1)
        assert window["step"].between(1, 14).all()
    assert set(p.groupby("origin").size()) == {4 * 2 * 14}


def test_model_beats_both_baselines_and_reports_every_level(backtest):
    s = backtest.summary()
    assert s["model"].mase < s["seasonal_naive"].mase
    assert s["model"].mase < s["moving_average"].mase
    assert 0.7 < s["model"].p90_coverage <= 1.0
    assert s["seasonal_naive"].p90_coverage is None
    table = backtest.table("fm-test")
    assert set(table["level"]) == {"overall", "origin", "series"}
    assert set(table["method"]) == {"model", "seasonal_naive", "moving_average"}
    assert len(table[table["level"] == "series"]) == 3 * 8
    assert len(table[table["level"] == "origin"]) == 3 * 3
    assert not table.duplicated(["level", "method", "origin", "sku", "location_id"]).any()


def test_stockout_days_are_predicted_but_never_scored(backtest):
    p = backtest.predictions
    assert p["is_stockout"].any()
    assert backtest.summary()["model"].n_rows == int((~p["is_stockout"]).sum())


def test_moving_average_leaves_out_stockout_days():
    days = pd.date_range("2026-01-01", periods=10)
    history = pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "demand_date": days,
            "units_sold": [10.0] * 8 + [0.0, 0.0],
            "is_stockout": [False] * 8 + [True, True],
        }
    )
    targets = pd.DataFrame(
        {"sku": ["A"], "location_id": ["DC1"], "demand_date": [days[-1] + pd.Timedelta(days=1)]}
    )
    assert moving_average(history, targets, days[-1], window=5)[0] == 10.0
    history["is_stockout"] = False
    assert moving_average(history, targets, days[-1], window=5) == pytest.approx([6.0])


def test_too_short_a_history_has_no_origin():
    features = make_features(n_skus=1, n_locations=1, history_days=20, seed=1)
    with pytest.raises(ValueError, match="too short"):
        run_backtest(features, FAST, horizon=28, n_origins=2)


def test_progress_hears_of_every_origin_with_its_count_and_time(backtest):
    features = make_features(n_skus=4, n_locations=2, history_days=300, seed=11)
    lines, calls = [], []
    with_progress = run_backtest(
        features,
        FAST,
        horizon=14,
        n_origins=3,
        progress=lines.append,
        on_origin=lambda stage, done, total: calls.append((stage, done, total)),
    )
    dates = [o.date() for o in backtest.origins]
    assert calls == [
        (f"origin {dates[0]}", 0, 3),
        (f"origin {dates[1]}", 1, 3),
        (f"origin {dates[2]}", 2, 3),
        ("origins done", 3, 3),
    ]
    assert [line.split(":")[0] for line in lines[:3]] == [
        f"backtest origin {k}/3 ({d})" for k, d in zip((1, 2, 3), dates, strict=True)
    ]
    assert all(line.endswith(" s elapsed") for line in lines[:3])
    assert lines[3].startswith("backtest: 3 origins done in ")
    # the callbacks only watch: the backtest is the one run without them
    pd.testing.assert_frame_equal(with_progress.predictions, backtest.predictions)


def test_fits_in_worker_processes_score_the_same_backtest():
    features = make_features(n_skus=3, n_locations=2, history_days=200, seed=3)
    settings = {"horizon": 14, "n_origins": 2, "peers": ("model_median", "auto_ets")}
    here = run_backtest(features, FAST, **settings)
    with fit_workers(2, min_rows=1) as workers:
        apart = run_backtest(features, FAST, workers=workers, **settings)
        assert workers._pool is not None  # the fits went to the workers
    pd.testing.assert_frame_equal(here.predictions, apart.predictions)
    assert set(apart.seconds) == set(here.seconds) and apart.fit_seconds > 0
