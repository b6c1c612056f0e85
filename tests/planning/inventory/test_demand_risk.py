"""Protection-period error from the backtest: independent errors add as sqrt(P), persistent ones
inflate, calibration reads the tail, and nothing after the cut-off date is read."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.inventory.demand_risk import demand_risk, error_panel

ORIGINS = pd.date_range("2026-01-01", periods=5, freq="28D")


def predictions(errors: np.ndarray, level: float = 50.0) -> pd.DataFrame:
    """errors: (n_windows, n_series, 28) actual - forecast; forecast constant ``level``."""
    rows = []
    for w, origin in enumerate(ORIGINS[: errors.shape[0]]):
        for i in range(errors.shape[1]):
            steps = np.arange(1, 29)
            rows.append(
                pd.DataFrame(
                    {
                        "origin": origin,
                        "sku": f"S{i:03d}",
                        "location_id": "DC1",
                        "demand_date": origin + pd.to_timedelta(steps, unit="D"),
                        "step": steps,
                        "p50": level,
                        "actual": level + errors[w, i],
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def risk(pred: pd.DataFrame, days: float, level: float = 0.95, cutoff=None, offset: int = 0):
    panel = error_panel(pred)
    n = panel.n_series
    return demand_risk(
        panel, np.full(n, days), np.full(n, "AX"), np.full(n, level), offset=offset, cutoff=cutoff
    )


def test_independent_errors_add_up_as_square_root_of_days():
    rng = np.random.default_rng(0)
    r = risk(predictions(rng.normal(0, 5, (4, 40, 28))), days=14)
    assert np.median(r.sigma_daily) == pytest.approx(5.0, rel=0.1)
    assert np.median(r.inflation) == pytest.approx(1.0, abs=0.15)
    assert np.median(r.sigma_protection) == pytest.approx(5.0 * np.sqrt(14), rel=0.15)


def test_persistent_errors_inflate_the_protection_sigma():
    rng = np.random.default_rng(1)
    level_shift = rng.normal(0, 4, (4, 40, 1))  # each window's level is off for all its days
    r = risk(predictions(rng.normal(0, 2, (4, 40, 28)) + level_shift), days=14)
    assert np.median(r.inflation) > 2.0


def test_calibrated_z_follows_the_tails_it_has_seen():
    rng = np.random.default_rng(2)
    normal = risk(predictions(rng.normal(0, 5, (5, 60, 28))), days=7, level=0.95)
    assert np.median(normal.demand_z) == pytest.approx(1.645, abs=0.3)
    heavy = risk(predictions(rng.standard_t(2, (5, 60, 28)) * 3), days=7, level=0.98)
    assert np.median(heavy.demand_z) > 2.054  # fatter than normal at 98 %


def test_one_window_falls_back_to_the_normal_quantile():
    rng = np.random.default_rng(3)
    r = risk(predictions(rng.normal(0, 5, (1, 40, 28))), days=7, level=0.95)
    assert np.allclose(r.demand_z, 1.6448536, atol=1e-6)


def test_nothing_after_the_cutoff_is_read():
    rng = np.random.default_rng(4)
    errors = rng.normal(0, 5, (4, 30, 28))
    cutoff = ORIGINS[2] + pd.Timedelta(days=5)
    before = risk(predictions(errors), days=10, cutoff=cutoff)
    errors[2:, :, 5:] *= 100  # wild days after the cutoff
    after = risk(predictions(errors), days=10, cutoff=cutoff)
    np.testing.assert_allclose(before.sigma_protection, after.sigma_protection)
    np.testing.assert_allclose(before.demand_z, after.demand_z)


def test_an_older_forecast_extrapolated_past_its_window_errs_more():
    rng = np.random.default_rng(5)
    trend = np.linspace(0, 10, 28)[None, None, :] * rng.choice([-1, 1], (4, 40, 1))
    pred = predictions(rng.normal(0, 2, (4, 40, 28)) + trend)
    fresh = risk(pred, days=14, offset=0)
    stale = risk(pred, days=14, offset=14)
    assert np.median(stale.sigma_protection) > np.median(fresh.sigma_protection)
