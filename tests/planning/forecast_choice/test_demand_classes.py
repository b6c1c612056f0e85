"""Demand classes by ADI and CV²: each class, the cut-off edges, and only history up to a date."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecast_choice.demand_classes import (
    ADI_CUT,
    CV2_CUT,
    classify_at_origins,
    classify_demand,
    demand_class,
)

START = pd.Timestamp("2026-01-01")


def series(sku: str, units: list[float], stockout: list[bool] | None = None) -> pd.DataFrame:
    """One daily series from START, one row per day."""
    return pd.DataFrame(
        {
            "sku": sku,
            "location_id": "DC1",
            "demand_date": pd.date_range(START, periods=len(units)),
            "units_sold": units,
            "is_stockout": stockout or [False] * len(units),
        }
    )


def classes_of(history: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.Series:
    as_of = as_of if as_of is not None else history["demand_date"].max()
    out = classify_demand(history, as_of)
    return out.set_index("sku")["demand_class"]


def test_series_built_for_each_class_land_in_it():
    history = pd.concat(
        [
            series("smooth", [10, 11, 9, 10] * 15),
            series("erratic", [1, 20] * 30),
            series("intermittent", [5, 0] * 30),
            series("lumpy", [1, 0, 0, 30, 0, 0] * 10),
        ]
    )
    got = classes_of(history)
    assert got.to_dict() == {
        "erratic": "erratic",
        "intermittent": "intermittent",
        "lumpy": "lumpy",
        "smooth": "smooth",
    }


def test_adi_and_cv2_follow_their_definitions():
    out = classify_demand(series("A", [4, 0, 0, 8] * 5), START + pd.Timedelta(days=19))
    row = out.iloc[0]
    assert row["adi"] == pytest.approx(20 / 10)
    # sizes 4 and 8 alternate: mean 6, population variance 4
    assert row["cv2"] == pytest.approx(4 / 36)


def test_cut_offs_belong_to_the_intermittent_and_erratic_side():
    assert demand_class([ADI_CUT], [0.0])[0] == "intermittent"
    assert demand_class([np.nextafter(ADI_CUT, 0)], [0.0])[0] == "smooth"
    assert demand_class([1.0], [CV2_CUT])[0] == "erratic"
    assert demand_class([1.0], [np.nextafter(CV2_CUT, 0)])[0] == "smooth"
    assert demand_class([ADI_CUT], [CV2_CUT])[0] == "lumpy"


def test_edges_computed_from_a_history():
    # 33 days with 25 demand days: ADI exactly 1.32; sizes 3 and 17: CV² exactly 0.49
    at_adi_cut = [5.0] * 25 + [0.0] * 8
    under_adi_cut = [5.0] * 26 + [0.0] * 7
    at_cv2_cut = [3.0, 17.0] * 16
    history = pd.concat(
        [
            series("at_adi", at_adi_cut),
            series("under_adi", under_adi_cut),
            series("under_cv2", [3.1, 16.9] * 16 + [10.0]),
        ]
    )
    out = classify_demand(history, START + pd.Timedelta(days=32)).set_index("sku")
    assert out.loc["at_adi", "adi"] == ADI_CUT
    assert out.loc["at_adi", "demand_class"] == "intermittent"
    assert out.loc["under_adi", "demand_class"] == "smooth"
    assert out.loc["under_cv2", "cv2"] < CV2_CUT
    assert out.loc["under_cv2", "demand_class"] == "smooth"
    even = classify_demand(series("even", at_cv2_cut), START + pd.Timedelta(days=31))
    assert even["cv2"].iloc[0] == CV2_CUT
    assert even["demand_class"].iloc[0] == "erratic"


def test_only_history_up_to_the_date_counts():
    # smooth for 30 days, then 30 days of rare lumps
    history = series("A", [10.0] * 30 + [0, 0, 0, 0, 50] * 6)
    assert classes_of(history, START + pd.Timedelta(days=29))["A"] == "smooth"
    assert classes_of(history)["A"] == "lumpy"


def test_stockout_days_are_not_periods_without_demand():
    units = [10.0, 0.0] * 20
    stockout = [False, True] * 20
    assert classes_of(series("A", units, stockout))["A"] == "smooth"
    assert classes_of(series("A", units))["A"] == "intermittent"


def test_missing_days_count_as_days_without_demand_until_the_date():
    history = series("A", [10.0] * 10)
    assert classes_of(history, START + pd.Timedelta(days=9))["A"] == "smooth"
    # the same rows seen 10 days later: 20 days observed, 10 with demand
    late = classify_demand(history, START + pd.Timedelta(days=19)).iloc[0]
    assert late["adi"] == 2.0
    assert late["demand_class"] == "intermittent"


def test_a_series_without_demand_is_intermittent():
    out = classify_demand(series("A", [0.0] * 10), START + pd.Timedelta(days=9)).iloc[0]
    assert np.isinf(out["adi"])
    assert out["demand_class"] == "intermittent"


def test_weekly_grain_sums_the_days_of_a_week():
    # sales on one day a week: intermittent daily, smooth weekly
    history = series("A", [7.0, 0, 0, 0, 0, 0, 0] * 10)
    last = history["demand_date"].max()
    assert classify_demand(history, last, "D")["demand_class"].iloc[0] == "intermittent"
    assert classify_demand(history, last, "W")["demand_class"].iloc[0] == "smooth"


def test_lookback_keeps_only_the_last_periods():
    history = series("A", [0, 0, 0, 50] * 10 + [10.0] * 20)
    last = history["demand_date"].max()
    assert classify_demand(history, last)["demand_class"].iloc[0] != "smooth"
    assert classify_demand(history, last, lookback=20)["demand_class"].iloc[0] == "smooth"


def test_classes_at_origins_use_each_origins_history_only():
    history = series("A", [10.0] * 30 + [0, 0, 0, 0, 50] * 6)
    origins = [START + pd.Timedelta(days=29), START + pd.Timedelta(days=59)]
    out = classify_at_origins(history, origins)
    assert out.set_index("origin")["demand_class"].to_dict() == {
        origins[0]: "smooth",
        origins[1]: "lumpy",
    }
