"""Forecast accuracy over time: published forecasts scored as actuals arrive, history kept."""

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.accuracy import accuracy_table

T0 = pd.Timestamp("2026-12-01 06:00")


def forecast(origin: str, days: int, level: float, version: str = "fm-1") -> pd.DataFrame:
    start = pd.Timestamp(origin)
    dates = [start + pd.Timedelta(days=h) for h in range(1, days + 1)]
    return pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "forecast_origin": start.date(),
            "forecast_date": [d.date() for d in dates],
            "horizon_day": range(1, days + 1),
            "p50": level,
            "p90": level * 1.5,
            "seasonal_naive": level * 0.5,
            "model_version": version,
        }
    )


def actual(start: str, values: list[float]) -> pd.DataFrame:
    dates = pd.date_range(pd.Timestamp(start), periods=len(values))
    return pd.DataFrame({"sku": "A", "location_id": "DC1", "demand_date": dates, "actual": values})


def test_a_forecast_is_scored_on_the_days_whose_actuals_arrived():
    fc = forecast("2026-11-27", 28, 10.0)
    table = accuracy_table(None, [fc], actual("2026-11-28", [8.0, 12.0, 10.0]), None, None, T0)
    model = table[table["method"] == "model"].iloc[0]
    assert model["source"] == "live" and model["days_scored"] == 3
    assert model["wape"] == np.float64(4 / 30) and model["bias"] == 0.0
    assert model["p90_coverage"] == 1.0
    naive = table[table["method"] == "seasonal_naive"].iloc[0]
    assert naive["bias"] == -0.5


def test_later_runs_rescore_with_more_actuals_and_keep_pruned_forecasts():
    old = forecast("2026-11-20", 28, 10.0, "fm-0")
    first = accuracy_table(None, [old], actual("2026-11-21", [10.0] * 7), None, None, T0)
    new = forecast("2026-11-27", 28, 10.0)
    later = T0 + pd.Timedelta(days=7)
    # the old forecast's snapshot was pruned: only the new one is on record now
    second = accuracy_table(first, [new], actual("2026-11-21", [10.0] * 14), None, None, later)
    by_origin = second[second["method"] == "model"].set_index("forecast_origin")
    assert by_origin.loc[pd.Timestamp("2026-11-20").date(), "days_scored"] == 7  # kept as was
    assert by_origin.loc[pd.Timestamp("2026-11-27").date(), "days_scored"] == 7
    third = accuracy_table(
        second, [new], actual("2026-11-21", [10.0] * 21), None, None, later + pd.Timedelta(days=7)
    )
    rescored = third[(third["method"] == "model") & (third["model_version"] == "fm-1")]
    assert len(rescored) == 1 and rescored.iloc[0]["days_scored"] == 14


def test_backtest_origins_start_the_history():
    pred = pd.DataFrame(
        {
            "origin": pd.Timestamp("2026-10-01"),
            "sku": "A",
            "location_id": "DC1",
            "demand_date": pd.date_range("2026-10-02", periods=3),
            "actual": [10.0, 10.0, 10.0],
            "is_stockout": [False, False, True],
            "p50": [11.0, 9.0, 0.0],
            "p90": [15.0, 15.0, 0.0],
            "seasonal_naive": 10.0,
            "ma": 12.0,
        }
    )
    table = accuracy_table(None, [], actual("2026-11-28", [1.0]), pred, "fm-1", T0)
    assert set(table["method"]) == {"model", "seasonal_naive", "moving_average"}
    assert (table["source"] == "backtest").all() and (table["n_rows"] == 2).all()
