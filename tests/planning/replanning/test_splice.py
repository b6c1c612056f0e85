"""Splicing: the rows out of scope are the served ones, the scope's rows are the fresh ones in
the served types; the forecast's error sigma is measured against the whole network."""

import datetime as dt

import numpy as np
import pandas as pd
import pandas.testing as pdt

from supplymesh.planning.forecasting.forecast import attach_error_std, error_std_from_predictions
from supplymesh.planning.replanning.splice import splice, splice_forecast

KEYS = ["sku", "location_id"]


def _served() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["A", "B", "C"],
            "location_id": ["DC1", "DC1", "DC2"],
            "plan_date": [dt.date(2026, 11, 27)] * 3,
            "order_quantity": np.array([10, 0, 5], dtype="int64"),
            "safety_stock": [1.5, 2.5, 3.5],
        }
    )


def test_rows_out_of_scope_stay_as_served_and_the_scope_is_replaced() -> None:
    served = _served()
    fresh = pd.DataFrame(
        {
            "sku": ["B"],
            "location_id": ["DC1"],
            "plan_date": pd.to_datetime(["2026-11-27"]),  # datetime64, as a planner may give
            "order_quantity": np.array([24], dtype="int64"),
            "safety_stock": [9.0],
        }
    )
    out = splice(served, fresh, KEYS, fresh[KEYS], sort_by=KEYS)
    pdt.assert_frame_equal(out[out["sku"] != "B"], served[served["sku"] != "B"])
    row = out[out["sku"] == "B"].iloc[0]
    assert (row["order_quantity"], row["safety_stock"]) == (24, 9.0)
    assert type(row["plan_date"]) is dt.date  # the served representation, not a Timestamp


def test_a_scope_pair_with_no_fresh_row_is_dropped() -> None:
    served = _served()
    scope = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"]})
    out = splice(served, served.iloc[:0], KEYS, scope)
    assert list(out["sku"]) == ["B", "C"]


def _forecast(skus: list[str], p50: float) -> pd.DataFrame:
    rows = [
        {"sku": s, "location_id": "DC1", "horizon_day": h, "p50": p50 * (i + 1)}
        for i, s in enumerate(skus)
        for h in (1, 2)
    ]
    frame = pd.DataFrame(rows)
    return frame.assign(
        forecast_origin=dt.date(2026, 11, 27),
        forecast_date=[dt.date(2026, 11, 27) + dt.timedelta(days=h) for h in frame["horizon_day"]],
        p90=frame["p50"] * 1.5,
        seasonal_naive=frame["p50"],
        model_version="fm-1",
    )


def test_a_replanned_series_sigma_borrows_the_whole_networks_error_ratio() -> None:
    # A and B are well measured (30 scored days), C has two: it borrows the median ratio
    days = pd.date_range("2026-10-01", periods=30)
    backtest = pd.concat(
        [
            pd.DataFrame({"sku": s, "location_id": "DC1", "demand_date": days, "p50": 10.0,
                          "actual": 10.0 + err, "is_stockout": False})
            for s, err in (("A", 1.0), ("B", 3.0))
        ]
        + [pd.DataFrame({"sku": "C", "location_id": "DC1", "demand_date": days[:2], "p50": 5.0,
                         "actual": 6.0, "is_stockout": False})],
        ignore_index=True,
    )  # fmt: skip
    plain = _forecast(["A", "B", "C"], 4.0)
    full = attach_error_std(plain, error_std_from_predictions(backtest, plain))
    fresh_c = plain[plain["sku"] == "C"]
    alone = attach_error_std(fresh_c, error_std_from_predictions(backtest, fresh_c))
    out = splice_forecast(full, alone, backtest, fresh_c[KEYS].drop_duplicates())
    pdt.assert_frame_equal(out.reset_index(drop=True), full.reset_index(drop=True))
    assert not np.allclose(
        alone["error_std_daily"], full.loc[full["sku"] == "C", "error_std_daily"]
    )
