"""Small planning frames with the published products' columns, built by hand for plot tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

ORIGIN = pd.Timestamp("2026-11-27")
SERIES = [("SKU-A", "DC01"), ("SKU-A", "DC02"), ("SKU-B", "DC01"), ("SKU-C", "DC02")]
DAILY_LEVEL = {"SKU-A": 20.0, "SKU-B": 5.0, "SKU-C": 1.0}


def forecast_frame(horizon: int = 28) -> pd.DataFrame:
    rows = []
    for sku, location in SERIES:
        level = DAILY_LEVEL[sku] * (1.5 if location == "DC02" else 1.0)
        for day in range(1, horizon + 1):
            rows.append(
                {
                    "sku": sku,
                    "location_id": location,
                    "forecast_origin": ORIGIN.date(),
                    "forecast_date": (ORIGIN + pd.Timedelta(days=day)).date(),
                    "horizon_day": day,
                    "p50": level,
                    "p90": level * 1.4,
                    "seasonal_naive": level,
                    "error_std_daily": level * 0.3,
                    "model_version": "hgb-test",
                }
            )
    return pd.DataFrame(rows)


def actuals_frame(days: int = 56) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for sku, location in SERIES:
        for back in range(days):
            rows.append(
                {
                    "sku": sku,
                    "location_id": location,
                    "demand_date": ORIGIN - pd.Timedelta(days=back),
                    "units_sold": float(rng.poisson(DAILY_LEVEL[sku])),
                }
            )
    return pd.DataFrame(rows)


def inventory_frame() -> pd.DataFrame:
    rows = []
    for i, (sku, location) in enumerate(SERIES):
        due = i in (0, 2)
        rows.append(
            {
                "sku": sku,
                "location_id": location,
                "plan_date": ORIGIN.date(),
                "mean_daily_demand": DAILY_LEVEL[sku],
                "safety_stock": 10.0 * (i + 1),
                "reorder_point": 50.0 * (i + 1),
                "order_up_to": 120.0 * (i + 1),
                "inventory_position": 40.0 * (i + 1),
                "order_quantity": 96 * (i + 1) if due else 0,
                "order_due": due,
                "need_by_date": (ORIGIN + pd.Timedelta(days=9)).date(),
                "unit_cost": 2.5,
                "order_value": 2.5 * 96 * (i + 1) if due else 0.0,
            }
        )
    return pd.DataFrame(rows)


def loads_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "load_id": ["L1", "L2", "L3"],
            "lane_id": ["LANE-1", "LANE-1", "LANE-2"],
            "weight_utilization": [0.9, 0.7, 0.2],
            "volume_utilization": [0.5, 0.6, 0.4],
            "pallet_utilization": [0.6, 0.8, 0.3],
            "cost": [900.0, 900.0, 150.0],
        }
    )


def shipments_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "po_id": ["PO1", "PO2", "PO3"],
            "is_late": [False, True, False],
            "status": ["assigned", "assigned", "unassigned"],
        }
    )
