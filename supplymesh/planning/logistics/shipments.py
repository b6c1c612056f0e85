"""Shipment planning: route each due purchase order over its lane, time it, and load trucks.

For every order with ``order_due``: the lane is the supplier -> DC lane (``origin_id ==
supplier_id``, ``destination_id == location_id``; with several, the fastest, then the cheapest
full truck, then the lowest id). Transit is the observed P90 transit time when the lane has one,
else the nominal, rounded up; the truck must leave ``transit + destination_handling_days`` before
the need-by date. An order whose ship date has already passed ships today and is flagged late.
Orders sharing a lane and a ship window (``ship_window_days`` from the earliest ship date of the
window; 1 = the same day) are consolidated into trucks by ``truck_loading.pack``, the truck
leaving on the window's earliest ship date; each truck then travels FTL or LTL, whichever is
cheaper. Every load records the lower bound on trucks of its lane and window. Orders that cannot be planned are kept with
the reason: no lane, no transit time, missing item dimensions, or too big for one truck.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from supplymesh.planning.frames import SERIES_KEYS, DateLike, as_timestamp, require_columns
from supplymesh.planning.logistics.truck_loading import (
    EXACT_MAX_ITEMS,
    EXACT_TIME_LIMIT_S,
    oversize_dimension,
    pack,
)

SHIPMENT_COLUMNS = [
    "po_id",
    "sku",
    "origin_id",
    "destination_id",
    "lane_id",
    "quantity",
    "weight_kg",
    "volume_m3",
    "pallets",
    "need_by_date",
    "ship_date",
    "arrival_date",
    "is_late",
    "load_id",
    "mode",
    "status",
    "reason",
]
LOAD_COLUMNS = [
    "load_id",
    "lane_id",
    "ship_date",
    "arrival_date",
    "n_orders",
    "weight_kg",
    "volume_m3",
    "pallets",
    "weight_utilization",
    "volume_utilization",
    "pallet_utilization",
    "mode",
    "cost",
    "lower_bound_trucks",
    "solver",
]
CAPACITY_COLUMNS = ["max_weight_kg", "max_volume_m3", "max_pallets"]
REASON_NO_LANE = "no lane"
REASON_NO_TRANSIT = "no transit time"
REASON_NO_DIMENSIONS = "missing item dimensions"


@dataclass
class ShipmentPlan:
    """One row per due order, and one row per truck."""

    shipments: pd.DataFrame
    loads: pd.DataFrame


def _known(value: object) -> bool:
    return value is not None and bool(pd.notna(value))


def po_id(plan_date: pd.Timestamp, sku: str, location_id: str) -> str:
    return f"PO-{plan_date:%Y%m%d}-{sku}-{location_id}"


def lane_capacity(lane: pd.Series | dict) -> np.ndarray:
    """A lane's truck capacity in ``DIMENSIONS`` order (missing = unconstrained)."""
    cap = np.array([lane[c] for c in CAPACITY_COLUMNS], dtype=float)
    return np.where(np.isfinite(cap) & (cap > 0), cap, np.inf)


def transit_days(lane: pd.Series | dict) -> float:
    """Observed P90 transit when the lane has shipments on record, else nominal; rounded up."""
    p90, n_shipments = lane.get("transit_days_p90"), lane.get("n_shipments", 1)
    observed = _known(p90) and (not _known(n_shipments) or n_shipments > 0)
    value = p90 if observed else lane.get("transit_days_nominal")
    return float(math.ceil(value - 1e-9)) if _known(value) else math.nan


def mode_and_cost(lane: pd.Series | dict, weight_kg: float) -> tuple[str, float]:
    """FTL at the lane's truck price or LTL at ``max(min charge, weight x rate)``, the cheaper."""
    ftl = float(lane["ftl_cost"])
    rate, minimum = lane.get("ltl_cost_per_kg"), lane.get("ltl_min_charge")
    if rate is None or pd.isna(rate):
        return "FTL", ftl
    ltl = max(float(minimum) if pd.notna(minimum) else 0.0, weight_kg * float(rate))
    return ("LTL", ltl) if ltl < ftl else ("FTL", ftl)


def choose_lanes(lanes: pd.DataFrame) -> pd.DataFrame:
    """One lane per origin -> destination: fastest, then cheapest FTL, then lowest lane id."""
    ranked = lanes.copy()
    ranked["_transit"] = [transit_days(row) for row in ranked.to_dict("records")]
    ranked = ranked.sort_values(
        ["origin_id", "destination_id", "_transit", "ftl_cost", "lane_id"], na_position="last"
    )
    return ranked.drop_duplicates(["origin_id", "destination_id"]).drop(columns="_transit")


def order_size(
    qty: ArrayLike,
    unit_weight_kg: ArrayLike,
    unit_volume_m3: ArrayLike,
    units_per_pallet: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight, volume and pallets of ``qty`` units (arrays or scalars); pallets are whole and
    NaN when the item has no pallet size. The one place an order's size is worked out, so the
    coordinator's fits and the planned loads agree."""
    upp = np.asarray(units_per_pallet, dtype=float)
    qty = np.asarray(qty, dtype=float)
    pallets = np.ceil(qty / np.where(upp > 0, upp, np.nan))
    return qty * np.asarray(unit_weight_kg, float), qty * np.asarray(unit_volume_m3, float), pallets


def _orders(inventory_plan: pd.DataFrame, items: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    due = inventory_plan[
        inventory_plan["order_due"].astype(bool) & (inventory_plan["order_quantity"] > 0)
    ]
    item_cols = ["unit_weight_kg", "unit_volume_m3", "units_per_pallet"]
    attrs = items[[*SERIES_KEYS, *item_cols]].drop_duplicates(SERIES_KEYS)
    orders = due[[*SERIES_KEYS, "supplier_id", "order_quantity", "need_by_date"]].merge(
        attrs.astype({"sku": str, "location_id": str}), on=SERIES_KEYS, how="left"
    )
    qty = orders["order_quantity"].astype("int64")
    weight, volume, pallets = order_size(
        qty.to_numpy(),
        orders["unit_weight_kg"].astype(float).to_numpy(),
        orders["unit_volume_m3"].astype(float).to_numpy(),
        orders["units_per_pallet"].astype(float).to_numpy(),
    )
    return pd.DataFrame(
        {
            "po_id": [
                po_id(day, s, loc)
                for s, loc in zip(orders["sku"], orders["location_id"], strict=True)
            ],
            "sku": orders["sku"].astype(str),
            "origin_id": orders["supplier_id"].astype(str),
            "destination_id": orders["location_id"].astype(str),
            "quantity": qty,
            "weight_kg": weight,
            "volume_m3": volume,
            "pallets_f": pallets,
            "need_by": pd.to_datetime(orders["need_by_date"]).dt.normalize(),
        }
    )


def _size(order: dict) -> np.ndarray:
    """An order's size in ``DIMENSIONS`` order (weight, volume, pallets)."""
    return np.array([order["weight_kg"], order["volume_m3"], order["pallets_f"]], dtype=float)


def plan_shipments(
    inventory_plan: pd.DataFrame,
    items: pd.DataFrame,
    lanes: pd.DataFrame,
    plan_date: DateLike,
    exact_max_orders: int = EXACT_MAX_ITEMS,
    time_limit_s: float = EXACT_TIME_LIMIT_S,
    ship_window_days: int = 1,
) -> ShipmentPlan:
    """Shipment plan and truckloads for the due orders of ``inventory_plan``.

    ``items`` gives unit_weight_kg, unit_volume_m3 and units_per_pallet per sku x location_id
    (the ``fct_inventory_position`` mart has them); ``lanes`` is ``fct_lane_stats``.
    """
    require_columns(
        inventory_plan,
        [*SERIES_KEYS, "supplier_id", "order_quantity", "order_due", "need_by_date"],
        "inventory_plan",
    )
    require_columns(
        items, [*SERIES_KEYS, "unit_weight_kg", "unit_volume_m3", "units_per_pallet"], "items"
    )
    require_columns(
        lanes,
        [
            "lane_id",
            "origin_id",
            "destination_id",
            *CAPACITY_COLUMNS,
            "ftl_cost",
            "transit_days_nominal",
            "destination_handling_days",
        ],
        "lanes",
    )
    day = as_timestamp(plan_date)
    orders = _orders(inventory_plan, items, day)
    chosen = choose_lanes(lanes.astype({"lane_id": str, "origin_id": str, "destination_id": str}))
    lane_by_od = {(r["origin_id"], r["destination_id"]): r for r in chosen.to_dict("records")}
    lane_by_id = {r["lane_id"]: r for r in chosen.to_dict("records")}

    rows = {o["po_id"]: _route(o, lane_by_od, day) for o in orders.to_dict("records")}
    load_rows = []
    for lane_id, po_ids in ship_windows(rows, ship_window_days):
        group = [rows[p] for p in po_ids]
        departure = min(r["ship_date"] for r in group)
        transit = transit_days(lane_by_id[lane_id])
        for r in group:  # the truck leaves on the earliest ship date: nobody arrives late
            r["ship_date"] = departure
            r["arrival_date"] = departure + pd.Timedelta(days=transit)
        load_rows += _load_group(group, lane_by_id[lane_id], day, exact_max_orders, time_limit_s)
    return ShipmentPlan(_shipment_frame(list(rows.values())), _load_frame(load_rows))


def ship_windows(rows: dict[str, dict], window_days: int) -> list[tuple[str, list[str]]]:
    """Routable orders grouped per lane into ship windows: a window opens at the earliest ship
    date not yet covered and holds every order of the lane shipping within ``window_days`` of
    it (1 = one ship date per group). Orders may ride earlier than their latest ship date, never
    later, so consolidating never makes an order late."""
    by_lane: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    for po, row in rows.items():
        if row["reason"] is None:
            by_lane.setdefault(row["lane_id"], []).append((row["ship_date"], po))
    out = []
    span = pd.Timedelta(days=max(int(window_days), 1))
    for lane_id in sorted(by_lane):
        members = sorted(by_lane[lane_id])
        current: list[str] = []
        opened = None
        for ship, po in members:
            if opened is None or ship >= opened + span:
                if current:
                    out.append((lane_id, current))
                current, opened = [], ship
            current.append(po)
        if current:
            out.append((lane_id, current))
    return out


def _route(order: dict, lane_by_od: dict[tuple[str, str], dict], day: pd.Timestamp) -> dict:
    """An order with its lane, ship and arrival dates, or the reason it cannot travel."""
    row = {
        **order,
        "lane_id": None,
        "ship_date": pd.NaT,
        "arrival_date": pd.NaT,
        "is_late": False,
        "load_id": None,
        "mode": None,
        "status": "unassigned",
        "reason": None,
    }
    lane = lane_by_od.get((order["origin_id"], order["destination_id"]))
    if lane is None:
        return {**row, "reason": REASON_NO_LANE}
    row["lane_id"] = lane["lane_id"]
    transit = transit_days(lane)
    if math.isnan(transit):
        return {**row, "reason": REASON_NO_TRANSIT}
    handling = lane.get("destination_handling_days")
    handling = float(handling) if _known(handling) else 0.0
    ship = order["need_by"] - pd.Timedelta(days=transit + handling)
    row["is_late"] = bool(ship < day)
    ship = max(ship, day)
    row["ship_date"], row["arrival_date"] = ship, ship + pd.Timedelta(days=transit)
    size = _size(order)
    if not np.all(np.isfinite(size)):
        return {**row, "reason": REASON_NO_DIMENSIONS}
    too_big = oversize_dimension(size, lane_capacity(lane))
    if too_big:
        return {**row, "reason": f"exceeds truck capacity ({too_big})"}
    return row


def _load_group(
    orders: list[dict], lane: dict, day: pd.Timestamp, exact_max_orders: int, time_limit_s: float
) -> list[dict]:
    """Pack one lane x ship-date group into trucks; marks the orders assigned, returns the loads."""
    cap = lane_capacity(lane)
    sizes = np.array([_size(o) for o in orders], dtype=float)
    result = pack(sizes, cap, exact_max_items=exact_max_orders, time_limit_s=time_limit_s)
    ship, arrival = orders[0]["ship_date"], orders[0]["arrival_date"]
    loads = []
    for b in range(result.n_bins):
        load_id = f"LD-{day:%Y%m%d}-{lane['lane_id']}-{ship:%Y%m%d}-{b + 1:02d}"
        members = [o for o, a in zip(orders, result.assignment, strict=True) if a == b]
        total = sizes[result.assignment == b].sum(axis=0)
        mode, cost = mode_and_cost(lane, float(total[0]))
        for o in members:
            o.update(load_id=load_id, mode=mode, status="assigned")
        util = np.where(np.isfinite(cap), total / np.where(np.isfinite(cap), cap, 1.0), 0.0)
        loads.append(
            {
                "load_id": load_id,
                "lane_id": lane["lane_id"],
                "ship_date": ship.date(),
                "arrival_date": arrival.date(),
                "n_orders": len(members),
                "weight_kg": float(total[0]),
                "volume_m3": float(total[1]),
                "pallets": round(total[2]),
                "weight_utilization": float(util[0]),
                "volume_utilization": float(util[1]),
                "pallet_utilization": float(util[2]),
                "mode": mode,
                "cost": float(cost),
                "lower_bound_trucks": result.lower_bound,
                "solver": result.solver,
            }
        )
    return loads


def _shipment_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*SHIPMENT_COLUMNS, "pallets_f", "need_by"])
    unassigned = frame["status"] == "unassigned"
    if unassigned.any():  # .loc assignment of NaT fails on an empty selection of an empty frame
        frame.loc[unassigned, ["ship_date", "arrival_date"]] = pd.NaT

    def dates(col: pd.Series) -> pd.Series:
        return pd.Series(
            [None if pd.isna(v) else pd.Timestamp(v).date() for v in col],
            index=col.index,
            dtype="object",
        )

    out = pd.DataFrame(
        {
            "po_id": frame["po_id"].astype(str),
            "sku": frame["sku"].astype(str),
            "origin_id": frame["origin_id"].astype(str),
            "destination_id": frame["destination_id"].astype(str),
            "lane_id": frame["lane_id"].astype("object"),
            "quantity": frame["quantity"].astype("int64"),
            "weight_kg": frame["weight_kg"].astype(float),
            "volume_m3": frame["volume_m3"].astype(float),
            "pallets": frame["pallets_f"].fillna(0).astype("int64"),
            "need_by_date": dates(frame["need_by"]),
            "ship_date": dates(frame["ship_date"]),
            "arrival_date": dates(frame["arrival_date"]),
            "is_late": frame["is_late"].astype(bool),
            "load_id": frame["load_id"].astype("object"),
            "mode": frame["mode"].astype("object"),
            "status": frame["status"].astype(str),
            "reason": frame["reason"].astype("object"),
        }
    )
    return out.sort_values("po_id", kind="stable").reset_index(drop=True)[SHIPMENT_COLUMNS]


def _load_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=LOAD_COLUMNS)
    return frame.astype(
        {
            "load_id": str,
            "lane_id": str,
            "n_orders": "int64",
            "weight_kg": float,
            "volume_m3": float,
            "pallets": "int64",
            "weight_utilization": float,
            "volume_utilization": float,
            "pallet_utilization": float,
            "mode": str,
            "cost": float,
            "lower_bound_trucks": "int64",
            "solver": str,
        }
    )
