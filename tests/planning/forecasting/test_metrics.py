import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.baseline import seasonal_naive, seasonal_naive_source_date
from supplymesh.planning.forecasting.metrics import (
    ScaleIndex,
    _masked,
    _scale_by_period,
    bias,
    coverage,
    mase,
    mase_scale,
    score_frame,
    series_scales,
    total_scale,
    wape,
)
from supplymesh.planning.frames import SERIES_KEYS


def test_mase_scale_is_mean_absolute_lag7_difference():
    y = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9]
    # |3-1| + 0 + 0 + 0 + 0 + 0 + |9-7| over 7 pairs
    assert mase_scale(y) == pytest.approx(4 / 7)
    assert np.isnan(mase_scale([1, 2, 3]))


def test_mase_wape_bias_coverage_by_hand():
    assert mase([2, 4], [3, 1], scale=2.0) == pytest.approx(1.0)
    assert np.isnan(mase([2, 4], [3, 1], scale=0.0))
    assert wape([10, 20, 30], [12, 18, 33]) == pytest.approx(7 / 60)
    assert bias([10, 20, 30], [12, 18, 33]) == pytest.approx(3 / 60)
    assert bias([10, 20], [5, 10]) == pytest.approx(-0.5)
    assert coverage([1, 5, 10], [2, 5, 9]) == pytest.approx(2 / 3)


def _history(
    values_by_series: dict[str, list[float]], stockout: dict[str, list[int]] | None = None
):
    rows = []
    for sku, values in values_by_series.items():
        for i, v in enumerate(values):
            rows.append(
                {
                    "sku": sku,
                    "location_id": "DC1",
                    "demand_date": pd.Timestamp("2026-01-01") + pd.Timedelta(days=i),
                    "units_sold": float(v),
                    "is_stockout": i in (stockout or {}).get(sku, []),
                }
            )
    return pd.DataFrame(rows)


def test_series_scales_match_calendar_lag_and_skip_stockouts():
    hist = _history(
        {"A": [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9], "B": [5] * 14}, stockout={"A": [13]}
    )  # the |9-7| pair is censored
    scales = series_scales(hist).set_index("sku")["scale"]
    assert scales["A"] == pytest.approx(2 / 6)
    assert scales["B"] == 0.0


def _pairwise_scales(history: pd.DataFrame) -> pd.DataFrame:
    """The scales as they were computed before ``ScaleIndex``: every pair matched again on the
    history up to the origin (the seasonal scale, else the one-step one)."""
    masked = _masked(history, "D")
    seasonal = _scale_by_period(masked, SERIES_KEYS, 7).rename("scale").reset_index()
    step = _scale_by_period(masked, SERIES_KEYS, 1).rename("step").reset_index()
    out = masked[SERIES_KEYS].drop_duplicates().merge(seasonal, how="left").merge(step, how="left")
    return out.assign(scale=out["scale"].fillna(out["step"]))[[*SERIES_KEYS, "scale"]]


def test_scale_index_at_an_origin_equals_the_scales_of_the_history_up_to_it():
    rng = np.random.default_rng(3)
    hist = _history(
        {
            "A": list(rng.poisson(4, 40)),
            "B": [0, 0, 0, 5] * 10,
            "C": list(rng.poisson(1, 9)),  # shorter than two seasons until late: one-step scale
        },
        stockout={"A": [3, 17, 30], "B": [8]},
    )
    hist = hist[~((hist["sku"] == "C") & (hist["demand_date"] < pd.Timestamp("2026-01-05")))]
    index = ScaleIndex(hist)
    for origin in pd.to_datetime(["2026-01-04", "2026-01-09", "2026-01-20", "2026-02-09"]):
        expected = _pairwise_scales(hist[hist["demand_date"] <= origin]).sort_values("sku")
        got = index.at(origin).sort_values("sku")
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
        )


def test_score_frame_averages_series_mase_over_nonzero_scales():
    hist = _history({"A": [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9], "B": [5] * 14})
    scales = series_scales(hist)  # A: 4/7, B: 0 (excluded from the mean)
    scored = pd.DataFrame(
        {
            "sku": ["A", "A", "B", "B"],
            "location_id": "DC1",
            "demand_date": pd.to_datetime(["2026-01-15", "2026-01-16"] * 2),
            "actual": [4.0, 6.0, 5.0, 5.0],
            "fc": [5.0, 4.0, 6.0, 5.0],
            "p90": [6.0, 5.0, 7.0, 5.0],
        }
    )
    m = score_frame(scored, scales, total_scale(hist), "fc", upper_col="p90")
    assert m.mase == pytest.approx(1.5 / (4 / 7))  # A's MAE = (1 + 2) / 2
    assert m.n_series == 1 and m.n_rows == 4
    # total series: history totals 6,7,...; holdout totals actual 9, 11 vs forecast 11, 9
    totals = hist.groupby("demand_date")["units_sold"].sum().to_numpy()
    assert m.mase_total == pytest.approx(2.0 / mase_scale(totals))
    assert m.wape == pytest.approx(4 / 20)
    assert m.bias == pytest.approx(0.0)
    assert m.p90_coverage == pytest.approx(3 / 4)


def test_seasonal_naive_repeats_the_last_observed_week():
    origin = pd.Timestamp("2026-01-14")
    hist = _history({"A": list(range(14))})  # 2026-01-01 .. 2026-01-14, values 0..13
    targets = pd.DataFrame(
        {
            "sku": "A",
            "location_id": "DC1",
            "demand_date": origin + pd.to_timedelta(np.arange(1, 15), unit="D"),
        }
    )
    src = seasonal_naive_source_date(origin, targets["demand_date"])
    assert (
        src.iloc[:7].dt.dayofweek.to_numpy()
        == targets["demand_date"].iloc[:7].dt.dayofweek.to_numpy()
    ).all()
    fc = seasonal_naive(hist, targets, origin)
    np.testing.assert_array_equal(fc, [7, 8, 9, 10, 11, 12, 13] * 2)
