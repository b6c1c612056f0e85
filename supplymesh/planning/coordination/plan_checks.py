"""Invariants of the planning outputs, as functions returning lists of violations.

The orchestration runs them as asset checks (an empty list passes); tests run them on plans
broken on purpose to prove they can fail. Each message names the offending row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.logistics.shipments import CAPACITY_COLUMNS

_TOL = 1e-6


def check_inventory_plan(plan: pd.DataFrame, positions: pd.DataFrame) -> list[str]:
    """Orders in whole cases and at least the MOQ; levels ordered; due <=> quantity > 0."""
    merged = plan.merge(
        positions[["sku", "location_id", "case_pack", "min_order_qty"]],
        on=["sku", "location_id"],
        how="left",
    )
    out = []
    cp = merged["case_pack"].where(merged["case_pack"] > 0, 1).fillna(1).astype(int)
    qty = merged["order_quantity"]
    for r in merged[(qty > 0) & (qty % cp != 0)].itertuples():
        out.append(f"{r.sku}@{r.location_id}: {r.order_quantity} not a multiple of {r.case_pack}")
    for r in merged[(qty > 0) & (qty < merged["min_order_qty"].fillna(0))].itertuples():
        out.append(f"{r.sku}@{r.location_id}: {r.order_quantity} below MOQ {r.min_order_qty}")
    for r in merged[merged["order_up_to"] < merged["reorder_point"] - 1e-9].itertuples():
        out.append(f"{r.sku}@{r.location_id}: order_up_to below reorder_point")
    for r in merged[merged["safety_stock"] < 0].itertuples():
        out.append(f"{r.sku}@{r.location_id}: negative safety stock")
    for r in merged[merged["order_due"].astype(bool) != (qty > 0)].itertuples():
        out.append(
            f"{r.sku}@{r.location_id}: order_due={r.order_due} but quantity {r.order_quantity}"
        )
    return out


def check_order_assignment(shipments: pd.DataFrame, loads: pd.DataFrame) -> list[str]:
    """Each order is on exactly one existing load, or unassigned with a reason and no load."""
    out = []
    dup = shipments["po_id"][shipments["po_id"].duplicated()]
    out += [f"{p}: appears more than once" for p in sorted(set(dup))]
    load_ids = set(loads["load_id"])
    assigned = shipments["status"] == "assigned"
    for r in shipments[assigned].itertuples():
        if pd.isna(r.load_id) or r.load_id not in load_ids:
            out.append(f"{r.po_id}: assigned but load {r.load_id!r} is not in the loads")
    for r in shipments[~assigned].itertuples():
        if r.status != "unassigned":
            out.append(f"{r.po_id}: unknown status {r.status!r}")
        if pd.isna(r.reason) or not str(r.reason).strip():
            out.append(f"{r.po_id}: unassigned without a reason")
        if pd.notna(r.load_id):
            out.append(f"{r.po_id}: unassigned but on load {r.load_id}")
    counts = shipments[assigned].groupby("load_id").size()
    for r in loads.itertuples():
        if counts.get(r.load_id, 0) != r.n_orders:
            out.append(f"{r.load_id}: n_orders={r.n_orders} but {counts.get(r.load_id, 0)} orders")
    return out


def check_load_capacity(
    shipments: pd.DataFrame, loads: pd.DataFrame, lanes: pd.DataFrame
) -> list[str]:
    """No truck exceeds its lane's weight, volume or pallet capacity (recomputed from orders)."""
    on_load = shipments[shipments["load_id"].notna()]
    totals = on_load.groupby("load_id")[["weight_kg", "volume_m3", "pallets"]].sum()
    caps = (
        loads[["load_id", "lane_id"]]
        .merge(
            lanes[["lane_id", *CAPACITY_COLUMNS]].astype({"lane_id": str}), on="lane_id", how="left"
        )
        .set_index("load_id")
    )
    out = []
    for load_id, row in totals.iterrows():
        if load_id not in caps.index:
            out.append(f"{load_id}: carries orders but is not in the loads")
            continue
        for dim, cap_col in zip(
            ["weight_kg", "volume_m3", "pallets"], CAPACITY_COLUMNS, strict=True
        ):
            cap = caps.at[load_id, cap_col]
            if pd.notna(cap) and row[dim] > cap * (1 + _TOL):
                out.append(f"{load_id}: {dim} {row[dim]:.3f} exceeds capacity {cap}")
    for r in loads.itertuples():
        if r.load_id in totals.index:
            t = totals.loc[r.load_id]
            if not np.isclose(t["weight_kg"], r.weight_kg, rtol=1e-6, atol=1e-6):
                out.append(
                    f"{r.load_id}: weight_kg {r.weight_kg} but orders sum to {t['weight_kg']}"
                )
    return out


def check_on_time(shipments: pd.DataFrame, loads: pd.DataFrame) -> list[str]:
    """Every load carrying on-time orders arrives by each such order's need-by date."""
    on_time = shipments[(shipments["status"] == "assigned") & ~shipments["is_late"].astype(bool)]
    merged = on_time.merge(
        loads[["load_id", "arrival_date"]], on="load_id", how="left", suffixes=("_order", "")
    )
    late = merged[pd.to_datetime(merged["arrival_date"]) > pd.to_datetime(merged["need_by_date"])]
    return [
        f"{r.po_id}: load {r.load_id} arrives {r.arrival_date} after need-by {r.need_by_date}"
        for r in late.itertuples()
    ]


def check_shipment_plan(
    shipments: pd.DataFrame, loads: pd.DataFrame, lanes: pd.DataFrame
) -> list[str]:
    """All shipment-plan invariants at once."""
    return [
        *check_order_assignment(shipments, loads),
        *check_load_capacity(shipments, loads, lanes),
        *check_on_time(shipments, loads),
    ]
