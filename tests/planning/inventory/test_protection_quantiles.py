"""Lead-time quantiles: the tail the receipts show, not the normal curve's."""

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.inventory.policy import replenishment_levels
from supplymesh.planning.inventory.protection_quantiles import lead_time_z


def _receipts(leads_by_pair: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    return pd.concat(
        pd.DataFrame({"supplier_id": s, "location_id": loc, "lead_days": leads})
        for (s, loc), leads in leads_by_pair.items()
    )


def test_late_skewed_lead_times_take_a_wider_tail_than_normal():
    rng = np.random.default_rng(0)
    # mostly on time, now and then a week late: two pairs of different means and spreads
    pairs = {
        ("S1", "DC1"): 10 + rng.exponential(2.0, 400).round(),
        ("S2", "DC1"): 20 + rng.exponential(4.0, 400).round(),
    }
    z = lead_time_z(_receipts(pairs), np.array([0.5, 0.98]))
    assert z[1] > NormalDist().inv_cdf(0.98) + 0.2
    # the median of a late-skewed spread sits below the mean
    assert z[0] < 0


def test_symmetric_lead_times_come_close_to_the_normal_z():
    rng = np.random.default_rng(1)
    pairs = {("S1", "DC1"): rng.normal(14, 3, 2000), ("S1", "DC2"): rng.normal(7, 1, 2000)}
    z = lead_time_z(_receipts(pairs), np.array([0.90, 0.95]))
    assert z == pytest.approx([NormalDist().inv_cdf(0.90), NormalDist().inv_cdf(0.95)], abs=0.08)


def test_too_few_receipts_leave_the_normal_z():
    # 150 receipts, and pairs with fewer than three receipts or no spread count for nothing
    pairs = {("S1", "DC1"): np.arange(150.0), ("S2", "DC1"): np.array([5.0, 9.0])}
    pairs[("S3", "DC1")] = np.full(100, 7.0)
    assert np.isnan(lead_time_z(_receipts(pairs), np.array([0.95]))).all()


def test_the_buffer_takes_the_lead_time_z_for_its_lead_time_part():
    frame = pd.DataFrame(
        {
            "mean_daily_demand": [10.0, 10.0],
            "sigma_protection": [12.0, 12.0],
            "lead_time_mean_days": [9.0, 9.0],
            "lead_time_std_days": [2.0, 2.0],
            "service_level_target": [0.98, 0.98],
            "intermittent": False,
            "empirical_quantile": np.nan,
            "case_pack": 1000,  # the smallest order lasts many reviews: no half-case shift
            "min_order_qty": 0,
            "demand_z": [1.5, 1.5],
            "lead_z": [2.5, np.nan],
        }
    )
    up_to = replenishment_levels(frame, 7)["order_up_to"].to_numpy()
    cycle = 10.0 * (9 - 1 + 7)
    z = NormalDist().inv_cdf(0.98)
    assert up_to[0] == pytest.approx(cycle + np.hypot(1.5 * 12.0, 2.5 * 10.0 * 2.0))
    # no measured quantile: the normal z, as before
    assert up_to[1] == pytest.approx(cycle + np.hypot(1.5 * 12.0, z * 10.0 * 2.0))
