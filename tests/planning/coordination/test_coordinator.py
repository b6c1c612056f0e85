"""The coordinator: pull forward into paid-for truck space, defer the least critical, re-plan
until stable, and report the plan's KPIs against the previous run."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.coordination.coordinator import (
    CoordinationConfig,
    can_wait,
    coordinate,
)
from supplymesh.planning.coordination.kpis import supply_plan_kpis
from supplymesh.planning.coordination.plan_checks import check_shipment_plan
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import make_lane

PLAN_DATE = dt.date(2026, 11, 27)

CONFIG = CoordinationConfig.from_settings(default_planning_settings())


def plan_row(sku: str, **overrides) -> dict:
    row = {
        "sku": sku,
        "location_id": "DC1",
        "supplier_id": "S1",
        "plan_date": PLAN_DATE,
        "service_class": "AX",
        "service_level_target": 0.98,
        "mean_daily_demand": 10.0,
        "demand_std_daily": 3.0,
        "lead_time_mean_days": 5.0,
        "review_period_days": 7,
        "safety_stock": 20.0,
        "reorder_point": 130.0,
        "order_up_to": 140.0,
        "on_hand": 100,
        "inventory_position": 100.0,
        "order_quantity": 40,
        "order_due": True,
        "need_by_date": dt.date(2026, 12, 2),
        "unit_cost": 2.0,
        "order_value": 80.0,
    }
    row.update(overrides)
    return row


def items(skus: list[str], kg: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": skus,
            "location_id": "DC1",
            "unit_weight_kg": kg,
            "unit_volume_m3": 0.001,
            "units_per_pallet": 1000,
            "case_pack": 10,
            "min_order_qty": 10,
        }
    )


def lanes(**overrides) -> pd.DataFrame:
    return pd.DataFrame([make_lane("L1", "S1", "DC1", ltl_cost_per_kg=2.0, **overrides)])


def classes(plan: pd.DataFrame) -> pd.DataFrame:
    return plan[["sku", "location_id", "service_class"]]


def test_an_item_due_next_review_rides_in_an_under_filled_full_truck():
    plan = pd.DataFrame(
        [
            plan_row("A"),  # 40 units x 10 kg = 400 kg on a 1000 kg truck: FTL (LTL = 800)
            plan_row(
                "B", order_quantity=0, order_due=False, order_value=0.0, inventory_position=180.0
            ),  # 180 - 70 = 110 <= 130: due next review
            plan_row(
                "C", order_quantity=0, order_due=False, order_value=0.0, inventory_position=900.0
            ),  # far from its reorder point
        ]
    )
    settled = coordinate(plan, classes(plan), items(["A", "B", "C"]), lanes(), PLAN_DATE, CONFIG)
    assert settled.decisions["action"].tolist() == ["pull_forward"]
    assert settled.decisions.loc[0, "sku"] == "B"
    b = settled.inventory_plan.set_index("sku").loc["B"]
    assert b["order_due"] and b["coordination"] == "pulled_forward"
    assert b["order_quantity"] == 30  # 140 + 70 - 180 = 30: what it would order next review
    loads = settled.shipments.loads
    assert len(loads) == 1 and loads.loc[0, "weight_kg"] == pytest.approx(700.0)
    assert settled.rounds == 2  # a second round found nothing left to change: stable
    assert check_shipment_plan(settled.shipments.shipments, loads, lanes()) == []


def test_nothing_is_pulled_when_it_would_not_fit():
    plan = pd.DataFrame(
        [
            plan_row("A"),
            plan_row(
                "B",
                order_quantity=0,
                order_due=False,
                order_value=0.0,
                inventory_position=150.0,
                order_up_to=900.0,
            ),  # needs 820 units: too big
        ]
    )
    settled = coordinate(plan, classes(plan), items(["A", "B"]), lanes(), PLAN_DATE, CONFIG)
    assert settled.decisions.empty and settled.rounds == 1


def test_on_a_small_ltl_shipment_only_weight_under_the_minimum_charge_is_free():
    # 1 kg units: 40 kg ships LTL at 2/kg, minimum 100 -> 50 kg are paid for, 10 kg free
    plan = pd.DataFrame(
        [
            plan_row("A"),
            plan_row(
                "B", order_quantity=0, order_due=False, order_value=0.0, inventory_position=200.0
            ),  # would order 10: one case (10 kg)
            plan_row(
                "C",
                order_quantity=0,
                order_due=False,
                order_value=0.0,
                inventory_position=150.0,
                service_class="CX",
            ),  # would order 60 kg
        ]
    )
    settled = coordinate(
        plan, classes(plan), items(["A", "B", "C"], kg=1.0), lanes(), PLAN_DATE, CONFIG
    )
    assert settled.decisions["sku"].tolist() == ["B"]
    assert "minimum charge" in settled.decisions.loc[0, "reason"]


def test_a_lane_over_its_truck_allocation_defers_the_least_critical_that_can_wait():
    rows = [plan_row(f"A{i}", order_quantity=90, order_value=180.0) for i in range(3)]
    rows.append(
        plan_row(
            "C",
            order_quantity=90,
            order_value=180.0,
            service_class="CZ",
            service_level_target=0.90,
            inventory_position=400.0,
        )
    )
    plan = pd.DataFrame(rows)  # 4 orders of 900 kg: 4 trucks on a lane allowed 3
    config = replace(CONFIG, max_trucks_per_lane_day=3)
    settled = coordinate(plan, classes(plan), items(list(plan["sku"])), lanes(), PLAN_DATE, config)
    assert settled.decisions["action"].tolist() == ["defer"]
    assert settled.decisions.loc[0, "sku"] == "C"
    assert len(settled.shipments.loads) == 3
    assert not settled.inventory_plan.set_index("sku").at["C", "order_due"]


def test_a_critical_item_is_never_deferred():
    plan = pd.DataFrame([plan_row("A", inventory_position=900.0)])
    assert not can_wait(plan, CONFIG).iloc[0]  # AX: planned for 98 %
    minor = plan.assign(service_level_target=0.90)
    assert can_wait(minor, CONFIG).iloc[0]
    short = minor.assign(inventory_position=150.0)  # 150 - 10 x 18 < half the safety stock
    assert not can_wait(short, CONFIG).iloc[0]


def test_kpis_report_the_change_from_the_previous_run():
    plan = pd.DataFrame([plan_row("A")])
    settled = coordinate(plan, classes(plan), items(["A"]), lanes(), PLAN_DATE, CONFIG)
    first = supply_plan_kpis(settled, "run-1", pd.Timestamp("2026-11-27 06:00"), None)
    assert len(first) == 1 and np.isnan(first.loc[0, "trucks_change"])
    assert first.loc[0, "trucks"] == 1 and first.loc[0, "lower_bound_trucks"] == 1
    assert 0.9 < first.loc[0, "projected_fill_rate"] <= 1.0
    bigger = pd.DataFrame([plan_row(s, order_quantity=90, order_value=180.0) for s in ("A", "B")])
    settled2 = coordinate(bigger, classes(bigger), items(["A", "B"]), lanes(), PLAN_DATE, CONFIG)
    both = supply_plan_kpis(settled2, "run-2", pd.Timestamp("2026-11-28 06:00"), first)
    assert both["run_id"].tolist() == ["run-1", "run-2"]
    assert both.loc[1, "previous_run_id"] == "run-1"
    assert both.loc[1, "trucks_change"] == 1.0  # 1800 kg needs two 1000 kg trucks
