"""The window models: global, level-scaled, direct multi-step."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.features import history_spec
from supplymesh.planning.forecasting.peers import demand_series, forecast_peers
from supplymesh.planning.forecasting.window_model import (
    WINDOW,
    WINDOW_GBM,
    WINDOWS,
    forecast_windows,
    window_length,
)

SPEC = history_spec("M", 6)
SHAPE = np.array([1.0, 0.8, 1.2, 1.5, 0.7, 0.9, 1.1, 1.3, 0.6, 1.0, 0.9, 1.0])


def monthly_history(levels: dict[str, float], months: int = 60) -> pd.DataFrame:
    """Series sharing one seasonal shape at their own level: what a global model learns once."""
    dates = pd.date_range("2020-01-01", periods=months, freq="MS")
    return pd.concat(
        pd.DataFrame(
            {
                "sku": sku,
                "location_id": "DC1",
                "demand_date": dates,
                "units_sold": level * np.resize(SHAPE, months),
                "is_stockout": False,
            }
        )
        for sku, level in levels.items()
    )


def test_a_shape_shared_by_series_at_different_levels_is_forecast_at_each_level():
    history = monthly_history({"A": 10.0, "B": 1000.0, "C": 55.0})
    out = forecast_windows(demand_series(history, "M"), 6, SPEC, (WINDOW,))
    assert len(out) == 3 * 6
    for sku, level in {"A": 10.0, "B": 1000.0, "C": 55.0}.items():
        got = out[out["sku"] == sku].sort_values("ds")[WINDOW].to_numpy()
        # the next six months continue the shape (60 months = 5 whole years: January next)
        np.testing.assert_allclose(got, level * SHAPE[:6], rtol=0.05)


def test_gbm_learns_the_shape_too_and_both_are_never_negative():
    history = monthly_history({f"S{i}": 5.0 + 3 * i for i in range(8)})
    out = forecast_windows(demand_series(history, "M"), 6, SPEC, WINDOWS)
    assert (out[list(WINDOWS)] >= 0).all().all()
    got = out[out["sku"] == "S2"].sort_values("ds")[WINDOW_GBM].to_numpy()
    np.testing.assert_allclose(got, 11.0 * SHAPE[:6], rtol=0.15)


def test_a_short_series_is_padded_with_its_first_season_and_still_forecast():
    long = monthly_history({"A": 10.0, "B": 20.0})
    short = monthly_history({"NEW": 30.0}, months=18)
    short["demand_date"] += pd.DateOffset(months=42)  # ends with the others; its own phase
    assert window_length(SPEC, 6) == 24 > 18
    out = forecast_windows(demand_series(pd.concat([long, short]), "M"), 6, SPEC, (WINDOW,))
    got = out[out["sku"] == "NEW"].sort_values("ds")[WINDOW].to_numpy()
    # 18 months from the shape's start: the next six are its second half
    np.testing.assert_allclose(got, 30.0 * SHAPE[6:], rtol=0.05)


def test_through_the_peers_only_seen_series_get_a_forecast_and_it_learns_from_all():
    history = monthly_history({"A": 10.0, "B": 20.0, "C": 30.0})
    targets = pd.DataFrame(
        {
            "sku": ["A", "UNSEEN"],
            "location_id": "DC1",
            "demand_date": pd.Timestamp("2025-01-01"),
        }
    )
    sampled = history[history["sku"] == "A"]
    result = forecast_peers(sampled, targets, SPEC, [WINDOW], window_history=history)
    values = result.values[WINDOW].to_numpy()
    assert values[0] == pytest.approx(10.0 * SHAPE[0], rel=0.05)
    assert np.isnan(values[1])
    assert result.seconds[WINDOW] > 0
