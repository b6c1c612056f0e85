"""The held-out replay: exact on hand-computable cases, and the policy it proves."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.inventory.simulation import (
    SimulationData,
    class_summary,
    cover_rule,
    policy_rule,
    simulate,
    tune_cover_weeks,
)


def data(demand: np.ndarray, level: float, lead: int = 5, cls: str = "AX") -> SimulationData:
    n, days = demand.shape
    reviews = np.arange((days - 1) // 7 + 1) * 7 - 1
    series = pd.DataFrame(
        {
            "sku": [f"S{i}" for i in range(n)],
            "location_id": "DC1",
            "supplier_id": "SUP",
            "unit_cost": 2.0,
            "case_pack": 1,
            "min_order_qty": 0,
            "service_class": cls,
            "service_level_target": 0.95,
            "intermittent": False,
        }
    )
    levels = np.full((n, len(reviews)), float(level))
    return SimulationData(
        series=series,
        days=pd.date_range("2026-01-01", periods=days),
        demand=demand,
        review_days=reviews,
        measure_from=21,
        lead_draws=[np.array([lead])] * n,
        trailing_sales=demand[:, :1].repeat(len(reviews), axis=1).astype(float),
        policy_levels=(levels, levels),
    )


def test_an_order_up_to_level_covering_lead_time_and_review_never_runs_out():
    # 10 a day, sellable 5 days after the order, reviews every 7: cover 5 - 1 + 7 = 11 days
    d = data(np.full((3, 140), 10.0), level=110)
    result = simulate(d, policy_rule(d), seeds=(0, 1))
    summary = class_summary(d, result).set_index("service_class")
    assert summary.at["AX", "cycle_service_level"] == 1.0
    assert summary.at["AX", "fill_rate"] == 1.0
    # on hand after each receipt is 70, falls by 10 a day to 0 just before the next one
    assert result.on_hand_units == pytest.approx(np.full(3, 30.0), abs=1.0)
    assert result.on_hand_value == pytest.approx(2.0 * result.on_hand_units)


def test_one_day_of_cover_short_stocks_out_every_cycle():
    d = data(np.full((2, 140), 10.0), level=100)
    summary = class_summary(d, simulate(d, policy_rule(d), seeds=(0,))).set_index("service_class")
    assert summary.at["AX", "cycle_service_level"] == 0.0
    assert 0.8 < summary.at["AX", "fill_rate"] < 1.0


def test_weeks_of_cover_tuned_to_a_service_level_reaches_it():
    rng = np.random.default_rng(0)
    d = data(rng.poisson(10, (30, 200)).astype(float), level=0)
    d.trailing_sales[:] = 10.0
    weeks, result = tune_cover_weeks(d, pd.Series({"AX": 0.9}), seeds=(0,))
    achieved = class_summary(d, result).set_index("service_class").at["AX", "cycle_service_level"]
    assert achieved >= 0.9
    lower = simulate(d, cover_rule(d, weeks - 0.05), seeds=(0,))
    assert class_summary(d, lower).set_index("service_class").at["AX", "cycle_service_level"] < 0.9
    assert 1.0 < weeks[0] < 3.0
