"""The fit's targets picked as positions, and the elasticity's bisection with one power per
distinct price ratio, give exactly what the routines they replaced gave."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.lost_sales import (
    ELASTICITY_RANGE,
    IMPUTED,
    TrainingTargets,
    _fit_elasticity,
    bisect_increasing,
    estimate_lost_sales,
)
from supplymesh.planning.forecasting.model import ForecastParams, fit_demand_model
from supplymesh.planning.forecasting.origin_features import add_origin_features
from tests.planning.synthetic import make_features


def elasticity_by_powers_per_row(sold, baseline, ratio) -> float:
    """The bisection as it was: every row raised to the power at every step (the halving
    itself is shared; what changed is how each step's powers are computed)."""
    lo, hi = ELASTICITY_RANGE
    target = float(sold.sum())

    def excess(e: float) -> float:
        return float((baseline * ratio**-e).sum()) - target

    return bisect_increasing(excess, lo, hi)


def rows_as_before(history: pd.DataFrame, impute: bool) -> pd.DataFrame:
    """``training_rows`` as it was: every target row copied, then the estimates set."""
    stockout = history["is_stockout"].astype(bool).to_numpy()
    if not impute:
        return history.loc[history["units_sold"].notna().to_numpy() & ~stockout]
    units, imputed = estimate_lost_sales(history)
    keep = np.isfinite(units) & (~stockout | imputed)
    rows = history.loc[keep].copy(deep=False)
    rows["units_sold"] = units[keep]
    rows[IMPUTED] = imputed[keep]
    return rows


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    features = make_features(n_skus=3, n_locations=2, history_days=200, seed=4, stockout_rate=0.08)
    frame = prepare_frame(features)[0]
    return add_origin_features(frame[frame["_history"]], DAILY_MART, 14)


@pytest.mark.parametrize("n_levels", [3, 9, None])  # None: every ratio distinct
# an elasticity inside the range, and beyond both ends (clipped)
@pytest.mark.parametrize("elasticity", [0.0, 1.7, 20.0])
def test_elasticity_equals_the_per_row_powers_bit_for_bit(n_levels, elasticity):
    rng = np.random.default_rng(n_levels or 0)
    n = 5_000
    if n_levels is None:
        ratio = rng.uniform(0.3, 0.99, n)
    else:
        ratio = rng.choice(np.linspace(0.5, 0.95, n_levels), n)
    baseline = rng.gamma(2.0, 3.0, n)
    sold = baseline * ratio**-elasticity * rng.lognormal(0.0, 0.2, n)
    assert _fit_elasticity(sold, baseline, ratio) == elasticity_by_powers_per_row(
        sold, baseline, ratio
    )


@pytest.mark.parametrize("impute", [False, True])
def test_training_targets_give_the_rows_training_rows_gave(history, impute):
    targets = TrainingTargets.of(history, impute)
    pd.testing.assert_frame_equal(targets.rows(history), rows_as_before(history, impute))
    some = targets.positions[::3]
    pd.testing.assert_frame_equal(
        targets.rows(history, some), rows_as_before(history, impute).iloc[::3]
    )


def test_a_sampled_fit_picks_the_rows_it_picked_before(history):
    """Sampling positions among the targets, then copying those rows, fits the model that
    sampling the copied target rows fitted."""
    params = ForecastParams(horizon=14, max_iter=20, p90_max_iter=10, max_train_rows=500)
    params = params.with_values(impute_lost_sales=True)
    model = fit_demand_model(history, params)
    rows = rows_as_before(history, impute=True)
    rng = np.random.default_rng(params.random_state)
    before = rows.iloc[np.sort(rng.choice(len(rows), size=500, replace=False))]
    again = fit_demand_model(before.drop(columns=IMPUTED).assign(**{IMPUTED: True}), params)
    assert model.n_train_rows == len(rows) and model.n_fit_rows == 500
    pd.testing.assert_frame_equal(model.series_levels, again.series_levels)
    test = history.iloc[:300]
    pd.testing.assert_frame_equal(model.predict(test), again.predict(test))
