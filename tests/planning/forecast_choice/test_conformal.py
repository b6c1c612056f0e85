"""Split-conformal P90 on synthetic series whose noise quantiles are known."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecast_choice.conformal import calibrate, conformal_quantile
from supplymesh.planning.forecasting.metrics import coverage

N_SERIES, N_STEPS, N_ORIGINS = 200, 14, 4


def panel(noise: str, seed: int = 3, step_growth: float = 0.0) -> pd.DataFrame:
    """``N_SERIES`` series x ``N_ORIGINS`` origins x ``N_STEPS`` steps; P50 is the true mean.

    Series levels span three orders of magnitude; ``scale`` (what the MASE scale would be) is
    proportional to each series' noise, at a different ratio than 1 so scaling is exercised."""
    rng = np.random.default_rng(seed)
    mu = np.exp(rng.uniform(np.log(2.0), np.log(2000.0), N_SERIES))
    idx = pd.MultiIndex.from_product(
        [range(N_ORIGINS), range(N_SERIES), range(1, N_STEPS + 1)],
        names=["origin", "series", "step"],
    )
    frame = idx.to_frame(index=False)
    m = mu[frame["series"].to_numpy()]
    step = frame["step"].to_numpy()
    if noise == "normal":
        sd = np.sqrt(m) * (1.0 + step_growth * (step - 1))
        actual = m + sd * rng.standard_normal(len(frame))
        scale = 0.7 * np.sqrt(m)
    else:
        actual = rng.poisson(m).astype(float)
        scale = 0.7 * np.sqrt(m)
    return frame.assign(p50=m, actual=actual, scale=scale, is_stockout=False)


def held_out_coverage(frame: pd.DataFrame, level: float = 0.9) -> float:
    train, test = frame[frame["origin"] < 3], frame[frame["origin"] == 3]
    upper = calibrate(train, "p50", level=level).upper(test, "p50")
    return coverage(test["actual"].to_numpy(), upper)


def test_conformal_quantile_uses_the_finite_sample_rank():
    assert conformal_quantile(np.arange(1, 10), 0.9) == 9  # ceil(10 * 0.9) = 9th of 9
    assert conformal_quantile(np.arange(1, 20), 0.9) == 18  # ceil(20 * 0.9) = 18th of 19
    assert conformal_quantile(np.arange(1, 6), 0.9) == 5  # rank past n: the largest
    assert np.isnan(conformal_quantile(np.array([]), 0.9))


@pytest.mark.parametrize("noise", ["normal", "poisson"])
def test_calibrated_p90_covers_nine_in_ten_held_out_points(noise):
    frame = panel(noise)
    assert 0.88 <= held_out_coverage(frame) <= 0.92
    # the band is narrow enough that calibrating the wrong quantile lands outside it
    assert held_out_coverage(frame, level=0.8) < 0.88
    assert held_out_coverage(frame, level=0.95) > 0.92


def test_one_scaled_quantile_serves_big_and_small_series():
    frame = panel("normal")
    train, test = frame[frame["origin"] < 3], frame[frame["origin"] == 3]
    upper = calibrate(train, "p50").upper(test, "p50")
    big = test["p50"].to_numpy() > np.median(test["p50"])
    actual = test["actual"].to_numpy()
    assert 0.87 <= coverage(actual[big], upper[big]) <= 0.93
    assert 0.87 <= coverage(actual[~big], upper[~big]) <= 0.93


def test_quantiles_widen_with_the_step_when_errors_grow_with_it():
    frame = panel("normal", step_growth=0.3)
    train, test = frame[frame["origin"] < 3], frame[frame["origin"] == 3]
    quantiles = calibrate(train, "p50")
    q = quantiles.by_step.sort_values("step")["q"].to_numpy()
    assert len(q) == N_STEPS
    # the true scaled quantile grows linearly; each step's estimate rests on 600 residuals
    steps = np.arange(1, N_STEPS + 1)
    assert np.corrcoef(steps, q)[0, 1] > 0.97
    assert q[-3:].mean() > 3 * q[:3].mean()
    # a single pooled quantile would over-cover the first steps and under-cover the last
    upper = quantiles.upper(test, "p50")
    first, last = (test["step"] <= 3).to_numpy(), (test["step"] >= N_STEPS - 2).to_numpy()
    actual = test["actual"].to_numpy()
    assert 0.85 <= coverage(actual[first], upper[first]) <= 0.95
    assert 0.85 <= coverage(actual[last], upper[last]) <= 0.95
    pooled = test["p50"] + quantiles.pooled * test["scale"]
    assert coverage(actual[first], pooled[first]) > 0.97
    assert coverage(actual[last], pooled[last]) < 0.85


def test_a_class_with_enough_residuals_gets_its_own_quantile_else_its_step_one():
    frame = panel("normal")
    noisy = frame["series"] < 100
    frame["actual"] = np.where(
        noisy, frame["p50"] + 3 * (frame["actual"] - frame["p50"]), frame["actual"]
    )
    frame["demand_class"] = np.where(noisy, "erratic", "smooth")
    frame.loc[frame["series"] == 199, "demand_class"] = "lumpy"  # 3 residuals per step
    quantiles = calibrate(frame[frame["origin"] < 3], "p50", min_count=50)
    per_class = quantiles.by_class_step.groupby("demand_class")["q"].mean()
    assert set(per_class.index) == {"erratic", "smooth"}
    assert per_class["erratic"] > 2.5 * per_class["smooth"]
    test = frame[frame["origin"] == 3]
    q = pd.Series(quantiles.quantile_of(test), index=test.index)
    lumpy_q = q[test["demand_class"] == "lumpy"].to_numpy()
    step_q = test[test["demand_class"] == "lumpy"][["step"]].merge(quantiles.by_step, on="step")
    np.testing.assert_allclose(lumpy_q, step_q["q"].to_numpy())
    for cls in ("erratic", "smooth"):
        part = test["demand_class"] == cls
        upper = quantiles.upper(test[part], "p50")
        assert 0.86 <= coverage(test.loc[part, "actual"].to_numpy(), upper) <= 0.94


def test_too_few_residuals_per_step_fall_back_to_the_pooled_quantile():
    frame = panel("normal")
    few = frame[(frame["origin"] == 0) & (frame["series"] < 10)]  # 10 residuals per step
    quantiles = calibrate(few, "p50", min_count=50)
    assert quantiles.by_step.empty
    np.testing.assert_allclose(quantiles.quantile_of(frame.head(5)), quantiles.pooled)


def test_p90_is_never_below_p50_nor_zero_and_stays_at_p50_without_a_scale():
    rows = pd.DataFrame(
        {
            "step": [1, 1, 1, 1],
            "p50": [5.0, 1.0, 4.0, 2.0],
            "actual": [0.0, 0.0, 0.0, 0.0],
            "scale": [1.0, 1.0, 0.0, np.nan],
            "is_stockout": False,
        }
    )
    # every residual negative: the calibrated quantile is below zero
    quantiles = calibrate(rows.iloc[:2], "p50", min_count=1)
    assert quantiles.pooled < 0
    upper = quantiles.upper(rows, "p50")
    np.testing.assert_allclose(upper, rows["p50"].to_numpy())


def test_stockout_rows_and_rows_without_actual_do_not_calibrate():
    rows = pd.DataFrame(
        {
            "step": [1, 1, 1],
            "p50": [1.0, 1.0, 1.0],
            "actual": [2.0, 100.0, np.nan],
            "scale": [1.0, 1.0, 1.0],
            "is_stockout": [False, True, False],
        }
    )
    quantiles = calibrate(rows, "p50", min_count=1)
    assert quantiles.n == 1
    assert quantiles.pooled == 1.0
