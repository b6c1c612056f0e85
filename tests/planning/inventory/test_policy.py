import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.coordination.plan_checks import check_inventory_plan
from supplymesh.planning.inventory.case_rounding import review_share
from supplymesh.planning.inventory.lead_times import (
    DEFAULT_LEAD_TIME_CV,
    DEFAULT_LEAD_TIME_DAYS,
    resolve_lead_times,
)
from supplymesh.planning.inventory.policy import (
    INVENTORY_PLAN_COLUMNS,
    plan_inventory,
    protection_days,
    round_to_case_pack,
    safety_stock,
    z_value,
)

PLAN_DATE = dt.date(2026, 11, 27)


def test_safety_stock_on_known_numbers():
    # (L + R) sigma_d^2 + d^2 sigma_L^2 = 16 * 9 + 100 * 0.25 = 169 -> sqrt = 13
    assert safety_stock(2.0, 10.0, 3.0, 9.0, 0.5, 7) == pytest.approx(26.0)
    # demand risk only: 1.645 * sqrt(14 * 4)
    assert safety_stock(1.645, 5.0, 2.0, 7.0, 0.0, 7) == pytest.approx(1.645 * math.sqrt(56))
    # lead-time risk only: z * d * sigma_L
    assert safety_stock(1.0, 20.0, 0.0, 5.0, 2.0, 7) == pytest.approx(40.0)
    vec = safety_stock(2.0, np.array([10.0, 0.0]), np.array([3.0, 0.0]), 9.0, 0.5, 7)
    np.testing.assert_allclose(vec, [26.0, 0.0])


def test_zero_variability_means_zero_safety_stock():
    assert safety_stock(z_value(0.99), 50.0, 0.0, 10.0, 0.0, 7) == 0.0


def test_z_value():
    assert z_value(0.95) == pytest.approx(1.6448536, abs=1e-6)
    assert z_value(0.5) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        z_value(1.0)


@pytest.mark.parametrize(
    ("need", "case_pack", "moq", "expected"),
    [
        (13, 12, 0, 24),  # up to whole cases
        (24, 12, 0, 24),  # already whole
        (24.0000000001, 12, 0, 24),  # float noise does not add a case
        (0.5, 12, 50, 60),  # raised to the MOQ, itself rounded to cases
        (100, 1, 150, 150),
        (0, 12, 50, 0),  # nothing needed, nothing ordered (MOQ does not apply)
        (-5, 12, 50, 0),
        (7.2, np.nan, np.nan, 8),  # missing case pack = 1, missing MOQ = 0
        (7.2, 0, 0, 8),
    ],
)
def test_round_to_case_pack(need, case_pack, moq, expected):
    assert round_to_case_pack(need, case_pack, moq) == expected


def test_round_to_case_pack_vectorised():
    out = round_to_case_pack(np.array([1, 25, 0]), np.array([6, 12, 6]), np.array([30, 0, 30]))
    np.testing.assert_array_equal(out, [30, 36, 0])


def _forecast(series: dict[tuple[str, str], float], days: int = 28) -> pd.DataFrame:
    rows = [
        {"sku": s, "location_id": loc, "horizon_day": h, "p50": level}
        for (s, loc), level in series.items()
        for h in range(1, days + 1)
    ]
    return pd.DataFrame(rows)


def _positions(rows: list[dict]) -> pd.DataFrame:
    base = {
        "snapshot_date": PLAN_DATE,
        "unit_cost": 2.5,
        "list_price": 5.0,
        "case_pack": 12,
        "min_order_qty": 0,
        "units_per_pallet": 120,
        "unit_weight_kg": 1.0,
        "unit_volume_m3": 0.01,
        "category": "C",
    }
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["inventory_position"] = df["on_hand"] + df["on_order"]
    return df


def test_plan_inventory_on_hand_computed_example():
    fc = _forecast({("A", "DC1"): 10.0, ("B", "DC1"): 4.0})
    sigma = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location_id": "DC1",
            "demand_std_daily": [3.0, 1.0],
            "mean_daily_forecast": [10.0, 4.0],
        }
    )
    pos = _positions(
        [
            {"sku": "A", "location_id": "DC1", "supplier_id": "S1", "on_hand": 50, "on_order": 20},
            {"sku": "B", "location_id": "DC1", "supplier_id": "S1", "on_hand": 500, "on_order": 0},
        ]
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "location_id": ["DC1"],
            "lane_id": ["L1"],
            "n_receipts": [10],
            "lead_time_mean_days": [9.0],
            "lead_time_std_days": [0.5],
        }
    )
    plan = plan_inventory(fc, sigma, pos, lt, PLAN_DATE, service_level=0.95, review_period_days=7)
    assert list(plan.columns) == INVENTORY_PLAN_COLUMNS
    a = plan.set_index("sku").loc["A"]
    z = z_value(0.95)
    # sellable L = 9 days after ordering: an order covers L - 1 + R = 15 days of demand
    assert protection_days(9.0, 7) == 15.0
    # order-up-to: d * 15 + z * sqrt(15 * 3^2 + (10 * 0.5)^2) = 150 + z * sqrt(160), less half
    # a case (6): one case is far below a review's demand (70), so the item orders every review
    # and its orders, rounded up to whole cases, land half a case above the level on average
    assert a["order_up_to"] == pytest.approx(150 + z * math.sqrt(160) - 6)
    # the reorder point protects L - 1 + R * (1 - 12 / 140) days; its buffer is the safety
    # stock, and the level is lowered by the same half case
    share = review_share(np.array([70.0]), np.array([12.0]), np.array([0.0]))[0]
    assert share == pytest.approx(1 - 12 / 140)
    days = 8 + 7 * share
    assert a["safety_stock"] == pytest.approx(z * math.sqrt(days * 9 + 25))
    assert a["reorder_point"] == pytest.approx(10 * days + a["safety_stock"] - 6)
    # need = 164.8 - 70 = 94.8 -> 8 cases of 12
    assert a["order_quantity"] == 96 and a["order_due"]
    assert a["order_value"] == pytest.approx(240.0)
    assert a["need_by_date"] == dt.date(2026, 12, 6)
    assert a["plan_date"] == PLAN_DATE and a["review_period_days"] == 7
    assert a["policy_method"] == "normal" and a["service_class"] == "unclassified"
    b = plan.set_index("sku").loc["B"]
    assert b["order_quantity"] == 0 and not b["order_due"] and b["order_value"] == 0.0
    assert plan["order_quantity"].dtype == np.int64
    assert check_inventory_plan(plan, pos) == []


def test_protection_period_longer_than_horizon_uses_all_days():
    fc = _forecast({("A", "DC1"): 10.0}, days=5)
    fc.loc[fc["horizon_day"] == 5, "p50"] = 20.0  # mean over 5 days = 12
    pos = _positions(
        [{"sku": "A", "location_id": "DC1", "supplier_id": "S1", "on_hand": 0, "on_order": 0}]
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "location_id": ["DC1"],
            "n_receipts": [3],
            "lead_time_mean_days": [2.0],
            "lead_time_std_days": [0.0],
        }
    )
    plan = plan_inventory(
        fc,
        pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "demand_std_daily": [0.0]}),
        pos,
        lt,
        PLAN_DATE,
        service_level=0.95,
        review_period_days=1,
    )
    # L - 1 + R = 2 days -> mean of days 1..2 = 10
    assert plan.loc[0, "mean_daily_demand"] == pytest.approx(10.0)
    lt["lead_time_mean_days"] = 30.0
    plan = plan_inventory(
        fc,
        pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "demand_std_daily": [0.0]}),
        pos,
        lt,
        PLAN_DATE,
        service_level=0.95,
        review_period_days=7,
    )
    assert plan.loc[0, "mean_daily_demand"] == pytest.approx(12.0)
    assert plan.loc[0, "safety_stock"] == 0.0


def test_sigma_can_come_from_the_published_forecast():
    fc = _forecast({("A", "DC1"): 10.0}).assign(error_std_daily=3.0)
    pos = _positions(
        [{"sku": "A", "location_id": "DC1", "supplier_id": "S1", "on_hand": 0, "on_order": 0}]
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "location_id": ["DC1"],
            "n_receipts": [3],
            "lead_time_mean_days": [9.0],
            "lead_time_std_days": [0.5],
        }
    )
    plan = plan_inventory(fc, None, pos, lt, PLAN_DATE, service_level=0.95, review_period_days=7)
    assert plan.loc[0, "demand_std_daily"] == 3.0
    # the order-up-to buffer: z * sqrt((9 - 1 + 7) * 3^2 + (10 * 0.5)^2), the level lowered by
    # half a case (12) for the rounding of an item that orders every review
    buffer = plan.loc[0, "order_up_to"] + 6.0 - 10.0 * 15
    assert buffer == pytest.approx(z_value(0.95) * math.sqrt(160))


def test_lead_time_fallbacks():
    series = pd.DataFrame(
        {
            "sku": ["A", "B", "C", "D"],
            "location_id": ["DC1", "DC2", "DC1", "DC3"],
            "supplier_id": ["S1", "S1", "S9", "S2"],
        }
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1", "S1", "S2"],
            "location_id": ["DC1", "DC3", "DC3"],
            "n_receipts": [30, 10, 1],
            "lead_time_mean_days": [10.0, 20.0, 8.0],
            "lead_time_std_days": [2.0, 4.0, np.nan],  # one receipt: no spread observed
        }
    )
    out = resolve_lead_times(series, lt).set_index("sku")
    assert out.loc["A", "lead_time_mean_days"] == 10.0
    assert out.loc["A", "lead_time_source"] == "supplier_location"
    # supplier-wide, receipt-weighted: (30 * 10 + 10 * 20) / 40
    assert out.loc["B", "lead_time_mean_days"] == pytest.approx(12.5)
    assert out.loc["B", "lead_time_std_days"] == pytest.approx(2.5)
    assert out.loc["B", "lead_time_source"] == "supplier"
    assert out.loc["C", "lead_time_mean_days"] == DEFAULT_LEAD_TIME_DAYS
    assert out.loc["C", "lead_time_std_days"] == DEFAULT_LEAD_TIME_CV * DEFAULT_LEAD_TIME_DAYS
    assert out.loc["C", "lead_time_source"] == "default"
    assert out.loc["D", "lead_time_mean_days"] == 8.0
    assert out.loc["D", "lead_time_std_days"] == pytest.approx(DEFAULT_LEAD_TIME_CV * 8.0)


def test_plan_from_the_fitted_forecast(forecast_and_model, error_std):
    fc, _ = forecast_and_model
    keys = fc[["sku", "location_id"]].drop_duplicates()
    rng = np.random.default_rng(0)
    pos = _positions(
        [
            {
                "sku": r.sku,
                "location_id": r.location_id,
                "supplier_id": "S1",
                "on_hand": int(rng.integers(0, 300)),
                "on_order": int(rng.integers(0, 40)),
                "case_pack": int(rng.choice([1, 6, 24])),
                "min_order_qty": int(rng.choice([0, 50])),
            }
            for r in keys.itertuples()
        ]
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "location_id": ["DC00"],
            "n_receipts": [5],
            "lead_time_mean_days": [6.5],
            "lead_time_std_days": [1.5],
        }
    )
    plan = plan_inventory(
        fc, error_std, pos, lt, PLAN_DATE, service_level=0.95, review_period_days=7
    )
    assert len(plan) == len(keys)
    assert plan["order_due"].any() and (~plan["order_due"]).any()
    assert (plan["safety_stock"] > 0).all()
    assert check_inventory_plan(plan, pos) == []


def test_inventory_check_catches_a_broken_plan():
    fc = _forecast({("A", "DC1"): 10.0})
    sigma = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "demand_std_daily": [3.0]})
    pos = _positions(
        [
            {
                "sku": "A",
                "location_id": "DC1",
                "supplier_id": "S1",
                "on_hand": 0,
                "on_order": 0,
                "min_order_qty": 240,
            }
        ]
    )
    lt = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "location_id": ["DC1"],
            "n_receipts": [3],
            "lead_time_mean_days": [9.0],
            "lead_time_std_days": [0.5],
        }
    )
    plan = plan_inventory(fc, sigma, pos, lt, PLAN_DATE, service_level=0.95, review_period_days=7)
    assert plan.loc[0, "order_quantity"] == 240
    broken = plan.copy()
    broken.loc[0, "order_quantity"] = 185
    problems = check_inventory_plan(broken, pos)
    assert any("multiple" in p for p in problems) and any("MOQ" in p for p in problems)
