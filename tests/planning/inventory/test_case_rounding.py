"""Cases and minimum orders: where the position sits, and the service the levels then give."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.inventory.case_rounding import (
    case_overshoot,
    review_share,
    smallest_order,
)
from supplymesh.planning.inventory.policy import replenishment_levels
from supplymesh.planning.inventory.simulation import (
    SimulationData,
    class_summary,
    policy_rule,
    simulate,
)


def test_smallest_order_is_the_moq_in_whole_cases_and_at_least_a_case():
    out = smallest_order(np.array([12, 12, 0, np.nan]), np.array([30, 0, 5, np.nan]))
    assert out.tolist() == [36.0, 12.0, 5.0, 1.0]


def test_review_share_falls_to_half_as_the_smallest_order_reaches_a_review():
    share = review_share(np.array([70.0, 70.0, 70.0, 0.0]), np.full(4, 12.0), [0, 35, 100, 0])
    assert share == pytest.approx([1 - 12 / 140, 1 - 36 / 140, 0.5, 0.5])


def test_half_a_case_only_for_items_that_order_every_review():
    # review demand 70: a case of 12 orders every review; an MOQ of 84 (7 cases) lasts longer
    out = case_overshoot(np.array([70.0, 70.0, 70.0, 0.0]), [12, 12, np.nan, 12], [0, 84, 0, 0])
    assert out.tolist() == [6.0, 0.0, 0.5, 0.0]


def _replay(case_pack: int, overshoot: bool, monkeypatch) -> float:
    """Cycle service of the policy's levels on Poisson demand of 20 a day (sigma known), orders
    sellable 5 days after a weekly review, target 0.90."""
    if not overshoot:
        monkeypatch.setattr(
            "supplymesh.planning.inventory.policy.case_overshoot",
            lambda demand, *_: np.zeros_like(np.asarray(demand, dtype=float)),
        )
    n, days, rate, lead, review = 60, 707, 20.0, 5, 7
    protection = lead - 1 + review
    frame = pd.DataFrame(
        {
            "mean_daily_demand": rate,
            "sigma_protection": np.sqrt(rate * protection),
            "lead_time_mean_days": float(lead),
            "lead_time_std_days": 0.0,
            "service_level_target": 0.90,
            "intermittent": False,
            "empirical_quantile": np.nan,
            "case_pack": case_pack,
            "min_order_qty": 0,
        },
        index=range(n),
    )
    levels = replenishment_levels(frame, review)
    reviews = np.arange((days - 1) // review + 1) * review - 1
    series = pd.DataFrame(
        {"sku": [f"S{i}" for i in range(n)], "location_id": "DC1", "unit_cost": 1.0}
    ).assign(case_pack=case_pack, min_order_qty=0, service_class="BX", service_level_target=0.9)
    data = SimulationData(
        series=series,
        days=pd.date_range("2026-01-01", periods=days),
        demand=np.random.default_rng(3).poisson(rate, (n, days)).astype(float),
        review_days=reviews,
        measure_from=28,
        lead_draws=[np.array([lead])] * n,
        trailing_sales=np.full((n, len(reviews)), rate),
        policy_levels=tuple(
            np.repeat(levels[c].to_numpy()[:, None], len(reviews), axis=1)
            for c in ("reorder_point", "order_up_to")
        ),
    )
    summary = class_summary(data, simulate(data, policy_rule(data), seeds=(0,)))
    return float(summary.set_index("service_class").at["BX", "cycle_service_level"])


def test_levels_lowered_by_half_a_case_hit_the_target(monkeypatch):
    # a case of 12 next to a protection-period sigma of 14.8: each order lands 0-12 units above
    # the order-up-to level, which alone adds about four points of service
    assert _replay(12, overshoot=True, monkeypatch=monkeypatch) == pytest.approx(0.90, abs=0.015)


def test_without_the_half_case_the_rounding_over_serves(monkeypatch):
    assert _replay(12, overshoot=False, monkeypatch=monkeypatch) > 0.925
