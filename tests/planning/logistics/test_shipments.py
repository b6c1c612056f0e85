import datetime as dt

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.coordination.plan_checks import (
    check_load_capacity,
    check_on_time,
    check_order_assignment,
    check_shipment_plan,
)
from supplymesh.planning.logistics.shipments import (
    LOAD_COLUMNS,
    SHIPMENT_COLUMNS,
    plan_shipments,
    transit_days,
)
from tests.planning.synthetic import make_lane

PLAN_DATE = dt.date(2026, 11, 27)


def _plan_and_items(orders: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inventory-plan rows (only the columns the shipment planner reads) and item attributes."""
    plan = pd.DataFrame(
        [
            {
                "sku": o["sku"],
                "location_id": o["dc"],
                "supplier_id": o["supplier"],
                "order_quantity": o["qty"],
                "order_due": o.get("due", True),
                "need_by_date": o.get("need_by", dt.date(2026, 12, 10)),
            }
            for o in orders
        ]
    )
    items = pd.DataFrame(
        [
            {
                "sku": o["sku"],
                "location_id": o["dc"],
                "unit_weight_kg": o.get("kg", 1.0),
                "unit_volume_m3": o.get("m3", 0.001),
                "units_per_pallet": o.get("upp", 100),
            }
            for o in orders
        ]
    )
    return plan, items


def test_routing_dates_reasons_and_output_columns():
    plan, items = _plan_and_items(
        [
            {"sku": "A", "dc": "DC1", "supplier": "S1", "qty": 100},  # routed on L1
            {"sku": "B", "dc": "DC2", "supplier": "S1", "qty": 50},  # no lane
            {"sku": "C", "dc": "DC1", "supplier": "S1", "qty": 2000},  # 2000 kg > 1000
            {
                "sku": "D",
                "dc": "DC1",
                "supplier": "S1",
                "qty": 10,
                "due": False,
            },  # not due: skipped
            {
                "sku": "E",
                "dc": "DC3",
                "supplier": "S2",
                "qty": 100,
                "need_by": dt.date(2026, 11, 29),
            },  # late
            {"sku": "F", "dc": "DC1", "supplier": "S1", "qty": 50, "m3": 0.5},  # 25 m3 > 10
        ]
    )
    lanes = pd.DataFrame(
        [
            make_lane("L1", "S1", "DC1"),  # p90 3.2 -> 4 days transit, 1 day handling
            make_lane(
                "L3", "S2", "DC3", transit_days_p90=np.nan, n_shipments=0, transit_days_nominal=2.5
            ),  # nominal 2.5 -> 3 days
        ]
    )
    sp = plan_shipments(plan, items, lanes, PLAN_DATE)
    assert list(sp.shipments.columns) == SHIPMENT_COLUMNS
    assert list(sp.loads.columns) == LOAD_COLUMNS
    s = sp.shipments.set_index("sku")
    assert set(s.index) == {"A", "B", "C", "E", "F"}
    assert s.loc["A", "po_id"] == "PO-20261127-A-DC1"
    assert s.loc["A", "lane_id"] == "L1" and s.loc["A", "status"] == "assigned"
    assert s.loc["A", "ship_date"] == dt.date(2026, 12, 5)  # 12-10 minus 4 transit, 1 handling
    assert s.loc["A", "arrival_date"] == dt.date(2026, 12, 9)
    assert not s.loc["A", "is_late"]
    assert s.loc["A", "pallets"] == 1 and s.loc["A", "weight_kg"] == pytest.approx(100.0)
    assert s.loc["B", "reason"] == "no lane" and pd.isna(s.loc["B", "lane_id"])
    assert s.loc["C", "reason"] == "exceeds truck capacity (weight_kg)"
    assert s.loc["F", "reason"] == "exceeds truck capacity (volume_m3)"
    assert s.loc["E", "is_late"] and s.loc["E", "ship_date"] == PLAN_DATE
    assert s.loc["E", "arrival_date"] == dt.date(2026, 11, 30)
    for sku in "BCF":
        assert s.loc[sku, "status"] == "unassigned" and pd.isna(s.loc[sku, "load_id"])
    assert check_shipment_plan(sp.shipments, sp.loads, lanes) == []


def test_transit_prefers_observed_p90():
    assert transit_days(make_lane("L", "S", "D")) == 4.0
    assert transit_days(make_lane("L", "S", "D", transit_days_p90=None)) == 2.0
    assert np.isnan(
        transit_days(make_lane("L", "S", "D", transit_days_p90=None, transit_days_nominal=None))
    )


def test_mode_is_the_cheaper_of_ftl_and_ltl():
    plan, items = _plan_and_items(
        [
            {"sku": "A", "dc": "DC1", "supplier": "S1", "qty": 100},  # 100 kg: LTL min charge 100
            {"sku": "B", "dc": "DC2", "supplier": "S1", "qty": 900},  # 900 kg: LTL 450 vs FTL 400
        ]
    )
    lanes = pd.DataFrame(
        [make_lane("L1", "S1", "DC1"), make_lane("L2", "S1", "DC2", ftl_cost=400.0)]
    )
    sp = plan_shipments(plan, items, lanes, PLAN_DATE)
    loads = sp.loads.set_index("lane_id")
    assert loads.loc["L1", "mode"] == "LTL" and loads.loc["L1", "cost"] == pytest.approx(100.0)
    assert loads.loc["L2", "mode"] == "FTL" and loads.loc["L2", "cost"] == pytest.approx(400.0)
    assert loads.loc["L2", "weight_utilization"] == pytest.approx(0.9)
    assert set(sp.shipments["mode"]) == {"LTL", "FTL"}


def test_cp_sat_loads_meet_the_lower_bound():
    # six orders on one lane and day: 400,400,300,300,300,300 kg into 1000 kg trucks
    qty = [400, 400, 300, 300, 300, 300]
    plan, items = _plan_and_items(
        [{"sku": f"K{i}", "dc": "DC1", "supplier": "S1", "qty": q} for i, q in enumerate(qty)]
    )
    lanes = pd.DataFrame([make_lane("L1", "S1", "DC1")])
    sp = plan_shipments(plan, items, lanes, PLAN_DATE)
    assert len(sp.loads) == 2
    assert (sp.loads["solver"] == "cp-sat").all()
    assert (sp.loads["lower_bound_trucks"] == 2).all()
    assert (sp.loads["weight_kg"] == 1000.0).all()
    assert check_shipment_plan(sp.shipments, sp.loads, lanes) == []


def _random_instance(seed: int):
    rng = np.random.default_rng(seed)
    suppliers, dcs = ["S1", "S2", "S3"], ["DC1", "DC2"]
    orders = [
        {
            "sku": f"K{i:03d}",
            "dc": str(rng.choice(dcs)),
            "supplier": str(rng.choice(suppliers)),
            "qty": int(rng.integers(1, 400)),
            "kg": float(rng.uniform(0.1, 8)),
            "m3": float(rng.uniform(0.0005, 0.05)),
            "upp": int(rng.choice([20, 60, 200])),
            "need_by": PLAN_DATE + dt.timedelta(days=int(rng.integers(1, 12))),
        }
        for i in range(int(rng.integers(20, 90)))
    ]
    lanes = pd.DataFrame(
        [
            make_lane(
                f"L-{s}-{d}",
                s,
                d,
                max_weight_kg=float(rng.uniform(1500, 4000)),
                max_volume_m3=float(rng.uniform(5, 20)),
                max_pallets=int(rng.integers(4, 20)),
            )
            for s in suppliers
            for d in dcs
            if (s, d) != ("S3", "DC2")
        ]
    )
    return *_plan_and_items(orders), lanes


@pytest.mark.parametrize("seed", range(6))
def test_random_plans_respect_capacity_and_account_for_every_order(seed):
    plan, items, lanes = _random_instance(seed)
    sp = plan_shipments(plan, items, lanes, PLAN_DATE, time_limit_s=0.5)
    ships, loads = sp.shipments, sp.loads
    assert len(ships) == len(plan) and ships["po_id"].is_unique
    assigned = ships["status"] == "assigned"
    assert ships.loc[assigned, "load_id"].notna().all()
    assert ships.loc[~assigned, "reason"].notna().all()
    caps = lanes.set_index("lane_id")
    for load in loads.itertuples():
        cap = caps.loc[load.lane_id]
        assert load.weight_kg <= cap["max_weight_kg"] + 1e-6
        assert load.volume_m3 <= cap["max_volume_m3"] + 1e-9
        assert load.pallets <= cap["max_pallets"]
        assert load.n_orders == int((ships["load_id"] == load.load_id).sum())
    per_group = loads.groupby(["lane_id", "ship_date"]).agg(
        n=("load_id", "size"), lb=("lower_bound_trucks", "first")
    )
    assert (per_group["n"] >= per_group["lb"]).all()
    assert check_shipment_plan(ships, loads, lanes) == []


@pytest.fixture
def valid_plan():
    plan, items, lanes = _random_instance(1)
    sp = plan_shipments(plan, items, lanes, PLAN_DATE, time_limit_s=0.5)
    assert check_shipment_plan(sp.shipments, sp.loads, lanes) == []
    assert (sp.loads["n_orders"] >= 2).any()
    return sp, lanes


def test_checker_catches_an_order_on_two_loads_or_silently_dropped(valid_plan):
    sp, _ = valid_plan
    ships = pd.concat([sp.shipments, sp.shipments.iloc[[0]]], ignore_index=True)
    assert any("more than once" in p for p in check_order_assignment(ships, sp.loads))
    dropped = sp.shipments.copy()
    i = dropped.index[dropped["status"] == "unassigned"][0]
    dropped.loc[i, "reason"] = None
    assert any("without a reason" in p for p in check_order_assignment(dropped, sp.loads))
    ghost = sp.shipments.copy()
    j = ghost.index[ghost["status"] == "assigned"][0]
    ghost.loc[j, "load_id"] = "LD-NOPE"
    assert check_order_assignment(ghost, sp.loads)


def test_checker_catches_an_overloaded_truck(valid_plan):
    sp, lanes = valid_plan
    ships = sp.shipments.copy()
    on_load = ships[ships["load_id"].notna()]
    ships.loc[on_load.index, "load_id"] = on_load["load_id"].iloc[0]  # everything on one truck
    problems = check_load_capacity(ships, sp.loads, lanes)
    assert any("exceeds capacity" in p for p in problems)


def test_checker_catches_a_late_arrival(valid_plan):
    sp, _ = valid_plan
    loads = sp.loads.copy()
    loads["arrival_date"] = [d + dt.timedelta(days=30) for d in loads["arrival_date"]]
    assert check_on_time(sp.shipments, loads)
