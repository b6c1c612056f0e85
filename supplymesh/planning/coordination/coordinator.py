"""The coordinator: inventory and transport planners settling on one supply plan.

The inventory policy proposes purchase orders; the logistics planner loads them onto trucks.
Two outcomes call for a second look, as in a supply-chain control tower:

* **Trucks badly under-filled**: a load below ``min_fill`` of its binding capacity (weight,
  volume or pallets) has room that is already paid for: all of it on a full truck, and on a
  less-than-truckload shipment the weight still under the carrier's minimum charge. The
  coordinator *pulls forward* orders the same supplier -> DC pair will need at the next review
  (their position will have fallen to the reorder point within one review period), most
  critical service class first, as long as they fit that paid-for room.
  If a full-truck load is still below ``defer_fill`` and every order on it may wait a review
  (a class planned for no more than ``max_defer_target`` service, and a position that covers
  expected demand until the deferred order would arrive with half its safety stock left), it
  *defers* them, so they ride with the next review's orders instead of on a near-empty truck.
* **Not enough lane capacity**: when ``max_trucks_per_lane_day`` caps the trucks a carrier gives
  a lane per ship date, the orders beyond the cap are *deferred* least critical first (never a
  late order, never one that may not wait by the same rule);
  what cannot wait stays, and the plan reports the excess.

After each round the shipment plan is rebuilt from the adjusted orders; the loop stops when a
round changes nothing (or after ``max_rounds``). Every adjustment is recorded with its reason.
The KPIs of the settled plan are in ``supply_kpis``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.inventory.policy import round_to_case_pack
from supplymesh.planning.logistics.shipments import (
    CAPACITY_COLUMNS,
    ShipmentPlan,
    order_size,
    plan_shipments,
)
from supplymesh.planning_settings import SERVICE_CLASSES, PlanningSettings

CRITICALITY = list(SERVICE_CLASSES)  # most critical first
DECISION_COLUMNS = [
    "round",
    "action",
    "sku",
    "location_id",
    "lane_id",
    "load_id",
    "service_class",
    "quantity",
    "reason",
]


@dataclass(frozen=True)
class CoordinationConfig:
    """Settings of the coordinator (``from_settings``: the run's planning settings)."""

    min_fill: float  # a load under this share of its binding capacity is under-filled
    defer_fill: float  # a load still under this after pulling forward may be deferred
    max_trucks_per_lane_day: int | None  # carrier allocation per lane and ship date
    ship_window_days: int
    max_rounds: int
    review_period_days: int
    max_defer_target: float  # only classes planned for at most this service may wait

    @classmethod
    def from_settings(cls, settings: PlanningSettings) -> CoordinationConfig:
        c = settings.coordination
        return cls(
            min_fill=c.min_truck_fill,
            defer_fill=c.defer_truck_fill,
            max_trucks_per_lane_day=c.max_trucks_per_lane_day or None,  # 0: no limit
            ship_window_days=c.ship_window_days,
            max_rounds=c.max_rounds,
            review_period_days=settings.inventory.review_period_days,
            max_defer_target=c.max_defer_service_level,
        )


@dataclass
class SupplyPlan:
    """The settled plan: adjusted inventory plan, shipments, loads and the decisions taken."""

    inventory_plan: pd.DataFrame
    shipments: ShipmentPlan
    decisions: pd.DataFrame
    rounds: int
    proposed_orders: int
    extra: dict[str, object] = field(default_factory=dict)


def _rank(service_class: pd.Series) -> pd.Series:
    order = {c: i for i, c in enumerate(CRITICALITY)}
    return service_class.map(order).fillna(len(CRITICALITY)).astype(int)


def binding_fill(loads: pd.DataFrame) -> pd.Series:
    """Each load's utilization of its binding dimension (the highest of the three)."""
    cols = ["weight_utilization", "volume_utilization", "pallet_utilization"]
    return loads[cols].max(axis=1)


def _unit_size(items: pd.DataFrame) -> pd.DataFrame:
    cols = ["unit_weight_kg", "unit_volume_m3", "units_per_pallet", "case_pack", "min_order_qty"]
    attrs = items[[*SERIES_KEYS, *cols]]
    return attrs.drop_duplicates(SERIES_KEYS).astype({"sku": str, "location_id": str})


def _spare(load: pd.Series, lane: pd.Series) -> np.ndarray:
    cap = np.array([lane[c] for c in CAPACITY_COLUMNS], dtype=float)
    used = np.array([load["weight_kg"], load["volume_m3"], load["pallets"]], dtype=float)
    return np.where(np.isfinite(cap) & (cap > 0), cap - used, np.inf)


def _size(row: pd.Series, qty: int) -> np.ndarray:
    size = order_size(qty, row["unit_weight_kg"], row["unit_volume_m3"], row["units_per_pallet"])
    return np.array(size, dtype=float)


def next_review_need(plan: pd.DataFrame, review_period_days: int) -> pd.Series:
    """Units each not-due series would order at the next review if demand runs as forecast
    (0 when its position stays above the reorder point)."""
    projected = plan["inventory_position"] - plan["mean_daily_demand"] * review_period_days
    due_next = (~plan["order_due"].astype(bool)) & (projected <= plan["reorder_point"])
    need = (plan["order_up_to"] + plan["mean_daily_demand"] * review_period_days) - plan[
        "inventory_position"
    ]
    return need.where(due_next, 0.0).clip(lower=0.0)


def can_wait(plan: pd.DataFrame, config: CoordinationConfig) -> pd.Series:
    """Whether an order may wait one review: the item's class is no more critical than
    ``max_defer_target`` (least critical first), and its position still covers the expected
    demand until a deferred order would be sellable with half its safety stock left."""
    r = config.review_period_days
    until = plan["lead_time_mean_days"] - 1.0 + 2 * r
    projected = plan["inventory_position"] - plan["mean_daily_demand"] * until
    minor = plan["service_level_target"] <= config.max_defer_target
    return minor & (projected >= 0.5 * plan["safety_stock"])


def _pull_forward(
    plan: pd.DataFrame,
    shipments: ShipmentPlan,
    items: pd.DataFrame,
    lanes: pd.DataFrame,
    config: CoordinationConfig,
    round_no: int,
) -> list[dict]:
    loads = shipments.loads
    if loads.empty:
        return []
    fills = binding_fill(loads)
    lane_of = lanes.set_index("lane_id")
    lane_pair = lanes.set_index(["origin_id", "destination_id"])["lane_id"].to_dict()
    need = next_review_need(plan, config.review_period_days)
    sizes = plan.merge(_unit_size(items), on=SERIES_KEYS, how="left")
    candidates = plan.assign(
        need_units=need.to_numpy(),
        criticality=_rank(plan["service_class"]).to_numpy(),
        cover_days=(
            plan["inventory_position"]
            / plan["mean_daily_demand"].where(plan["mean_daily_demand"] > 0)
        ).to_numpy(),
        lane=[
            lane_pair.get((s, loc))
            for s, loc in zip(plan["supplier_id"], plan["location_id"], strict=True)
        ],
        unit_weight_kg=sizes["unit_weight_kg"].to_numpy(),
        unit_volume_m3=sizes["unit_volume_m3"].to_numpy(),
        units_per_pallet=sizes["units_per_pallet"].to_numpy(),
        case_pack=sizes["case_pack"].to_numpy(),
        min_order_qty=sizes["min_order_qty"].to_numpy(),
    )
    candidates = candidates[(candidates["need_units"] > 0) & candidates["lane"].notna()]
    decisions = []
    taken: set[tuple[str, str]] = set()
    for idx in fills[fills < config.min_fill].index:
        load = loads.loc[idx]
        lane = lane_of.loc[load["lane_id"]]
        spare = _spare(load, lane)
        if load["mode"] == "LTL":  # paid by the kilo: only weight under the minimum charge is free
            rate, minimum = float(lane["ltl_cost_per_kg"]), float(lane["ltl_min_charge"])
            free_kg = max(minimum / rate - float(load["weight_kg"]), 0.0) if rate > 0 else 0.0
            spare[0] = min(spare[0], free_kg)
            if free_kg <= 0:
                continue
        pool = candidates[candidates["lane"] == load["lane_id"]].sort_values(
            ["criticality", "cover_days"]
        )
        for row in pool.itertuples():
            key = (row.sku, row.location_id)
            if key in taken:
                continue
            series = pool.loc[row.Index]
            qty = int(round_to_case_pack(row.need_units, row.case_pack, row.min_order_qty))
            size = _size(series, qty)
            if qty <= 0 or not np.all(np.isfinite(size)) or np.any(size > spare + 1e-9):
                continue
            spare = spare - size
            taken.add(key)
            decisions.append(
                {
                    "round": round_no,
                    "action": "pull_forward",
                    "sku": row.sku,
                    "location_id": row.location_id,
                    "lane_id": load["lane_id"],
                    "load_id": load["load_id"],
                    "service_class": row.service_class,
                    "quantity": qty,
                    "reason": f"{load['mode']} load {load['load_id']} was {fills[idx]:.0%} full "
                    f"(min {config.min_fill:.0%}); the item reaches its reorder point within "
                    "the next review, so it rides now in space already paid for"
                    + (" (under the LTL minimum charge)" if load["mode"] == "LTL" else ""),
                }
            )
    return decisions


def _defer(
    plan: pd.DataFrame, shipments: ShipmentPlan, config: CoordinationConfig, round_no: int
) -> list[dict]:
    """Orders to hold until the next review: on near-empty loads, or beyond a lane's cap."""
    loads, orders = shipments.loads, shipments.shipments
    if loads.empty:
        return []
    waitable = plan.assign(may_wait=can_wait(plan, config).to_numpy())
    info = orders.merge(
        waitable[[*SERIES_KEYS, "service_class", "may_wait", "coordination"]].rename(
            columns={"location_id": "destination_id"}
        ),
        on=["sku", "destination_id"],
        how="left",
    )
    info["criticality"] = _rank(info["service_class"])
    decisions = []
    fills = binding_fill(loads).set_axis(loads["load_id"])
    full_truck = loads.set_index("load_id")["mode"] == "FTL"
    for load_id, fill in fills[fills < config.defer_fill].items():
        if not full_truck.get(load_id, False):  # an LTL load pays by weight: nothing to save
            continue
        members = info[info["load_id"] == load_id]
        pulled = members["coordination"].eq("pulled_forward").any()
        if pulled or members["is_late"].any() or not members["may_wait"].fillna(False).all():
            continue
        for r in members.sort_values("criticality", ascending=False).itertuples():
            decisions.append(
                _defer_row(
                    r,
                    round_no,
                    f"load {load_id} only {fill:.0%} full "
                    f"(under {config.defer_fill:.0%}) and every order on it "
                    "can wait a review above its safety stock",
                )
            )
    cap = config.max_trucks_per_lane_day
    if cap:
        per_day = loads.groupby(["lane_id", "ship_date"])["load_id"].apply(list)
        for (lane_id, ship), load_ids in per_day.items():
            if len(load_ids) <= cap:
                continue
            members = info[info["load_id"].isin(load_ids)]
            movable = members[~members["is_late"] & members["may_wait"].fillna(False)]
            excess_loads = len(load_ids) - cap
            share = excess_loads / len(load_ids)
            target = members["weight_kg"].sum() * share
            moved = 0.0
            for r in movable.sort_values("criticality", ascending=False).itertuples():
                if moved >= target:
                    break
                moved += r.weight_kg
                decisions.append(
                    _defer_row(
                        r,
                        round_no,
                        f"lane {lane_id} needs {len(load_ids)} "
                        f"trucks on {ship} but has {cap}; least critical "
                        "order that can wait a review",
                    )
                )
    return decisions


def _defer_row(r, round_no: int, reason: str) -> dict:
    return {
        "round": round_no,
        "action": "defer",
        "sku": r.sku,
        "location_id": r.destination_id,
        "lane_id": r.lane_id,
        "load_id": r.load_id,
        "service_class": r.service_class,
        "quantity": int(r.quantity),
        "reason": reason,
    }


def _apply(plan: pd.DataFrame, decisions: list[dict]) -> pd.DataFrame:
    out = plan.copy()
    key = out.set_index(SERIES_KEYS).index
    for d in decisions:
        i = key.get_loc((d["sku"], d["location_id"]))
        if d["action"] == "pull_forward":
            out.loc[i, ["order_quantity", "order_due", "coordination"]] = [
                d["quantity"],
                True,
                "pulled_forward",
            ]
        else:
            out.loc[i, ["order_quantity", "order_due", "coordination"]] = [0, False, "deferred"]
    out["order_quantity"] = out["order_quantity"].astype("int64")
    out["order_due"] = out["order_due"].astype(bool)
    out["order_value"] = out["order_quantity"] * out["unit_cost"]
    return out


def coordinate(
    inventory_plan: pd.DataFrame,
    classes: pd.DataFrame,
    items: pd.DataFrame,
    lanes: pd.DataFrame,
    plan_date: object,
    config: CoordinationConfig,
) -> SupplyPlan:
    """Plan shipments, adjust orders, re-plan, until a round changes nothing."""
    plan = inventory_plan.copy()
    if "service_class" not in plan.columns:
        plan = plan.merge(classes[[*SERIES_KEYS, "service_class"]], on=SERIES_KEYS, how="left")
    plan["service_class"] = plan["service_class"].fillna("CZ")
    plan["coordination"] = None
    lanes = lanes.astype({"lane_id": str, "origin_id": str, "destination_id": str})
    proposed = int(plan["order_due"].sum())
    all_decisions: list[dict] = []
    rounds = 0
    touched: set[tuple[str, str]] = set()
    while True:
        shipments = plan_shipments(
            plan, items, lanes, plan_date, ship_window_days=config.ship_window_days
        )
        if rounds >= config.max_rounds:
            break
        rounds += 1
        decisions = _pull_forward(plan, shipments, items, lanes, config, rounds)
        decisions += _defer(plan, shipments, config, rounds)
        decisions = [d for d in decisions if (d["sku"], d["location_id"]) not in touched]
        if not decisions:
            break
        touched |= {(d["sku"], d["location_id"]) for d in decisions}
        plan = _apply(plan, decisions)
        all_decisions += decisions
    frame = pd.DataFrame(all_decisions, columns=DECISION_COLUMNS)
    return SupplyPlan(plan, shipments, frame, rounds, proposed)
