"""Backtesting a user's own history at a daily, weekly or monthly grain."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.history_backtest import backtest_history
from supplymesh.planning.forecasting.model import ForecastParams


def weekly_history(n_items: int = 6, weeks: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weeks_idx = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    rows = []
    for i in range(n_items):
        season = 1 + 0.4 * np.sin(2 * np.pi * np.arange(weeks) / 52 + i)
        level = rng.uniform(20, 80) * season * (1 + 0.004 * np.arange(weeks))
        for w, q in zip(weeks_idx, rng.poisson(level), strict=True):
            # split each week's quantity over two days, as transaction data would be
            rows += [
                (f"item{i}", "store1", w, q // 2),
                (f"item{i}", "store1", w + pd.Timedelta(days=2), q - q // 2),
            ]
    return pd.DataFrame(rows, columns=["item_id", "location_id", "date", "quantity"])


def test_weekly_history_report_has_model_and_baselines():
    report, backtest = backtest_history(
        weekly_history(),
        "W",
        horizon=4,
        n_origins=3,
        params=ForecastParams(max_iter=40, p90_max_iter=30),
    )
    assert report["freq"] == "W" and report["season"] == 52 and len(report["origins"]) == 3
    assert set(report["model"]) >= {"mase", "wape", "bias", "p90_coverage"}
    assert set(report["baselines"]) == {"seasonal_naive", "moving_average"}
    assert "p90_coverage" not in report["baselines"]["seasonal_naive"]
    assert report["model"]["mase"] < report["baselines"]["seasonal_naive"]["mase"]
    assert backtest.predictions["step"].between(1, 4).all()


def test_unknown_frequency_or_columns_are_refused():
    with pytest.raises(ValueError, match="frequency"):
        backtest_history(weekly_history(), "H")
    with pytest.raises(ValueError, match="missing columns"):
        backtest_history(weekly_history().rename(columns={"quantity": "qty"}), "W")


def test_progress_counts_the_feature_build_and_every_origin():
    calls = []
    report, _ = backtest_history(
        weekly_history(n_items=2, weeks=80),
        "W",
        horizon=4,
        n_origins=2,
        params=ForecastParams(max_iter=20, p90_max_iter=20),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert calls == [
        ("features", 0, 2),
        (f"origin {report['origins'][0]}", 0, 2),
        (f"origin {report['origins'][1]}", 1, 2),
        ("origins done", 2, 2),
    ]
