"""A day with no order due still yields a (empty) shipment plan and no trucks."""

import pandas as pd

from supplymesh.planning.logistics.shipments import LOAD_COLUMNS, SHIPMENT_COLUMNS, plan_shipments


def test_no_due_orders_gives_an_empty_plan():
    plan = pd.DataFrame(
        {
            "sku": ["A"],
            "location_id": ["DC01"],
            "supplier_id": ["SUP01"],
            "order_quantity": [0],
            "order_due": [False],
            "need_by_date": [pd.Timestamp("2026-12-01").date()],
        }
    )
    items = pd.DataFrame(
        {
            "sku": ["A"],
            "location_id": ["DC01"],
            "unit_weight_kg": [1.0],
            "unit_volume_m3": [0.01],
            "units_per_pallet": [100],
        }
    )
    lanes = pd.DataFrame(
        {
            "lane_id": ["L"],
            "origin_id": ["SUP01"],
            "destination_id": ["DC01"],
            "carrier": ["c"],
            "max_weight_kg": [24000.0],
            "max_volume_m3": [80.0],
            "max_pallets": [33],
            "ftl_cost": [900.0],
            "ltl_cost_per_kg": [0.1],
            "ltl_min_charge": [50.0],
            "currency": ["EUR"],
            "transit_days_nominal": [2.0],
            "transit_days_observed_mean": [None],
            "transit_days_observed_std": [None],
            "transit_days_p90": [None],
            "n_shipments": [0],
            "destination_handling_days": [1],
        }
    )
    result = plan_shipments(plan, items, lanes, "2026-11-27")
    assert list(result.shipments.columns) == SHIPMENT_COLUMNS and result.shipments.empty
    assert list(result.loads.columns) == LOAD_COLUMNS and result.loads.empty
