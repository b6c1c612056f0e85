"""The supply plan's business figures, one row per planning run, next to the previous run's.

Projected fill rate (the normal loss function over each series' protection period), order and
inventory value, transport cost, trucks against the sum of the lane-window lower bounds and their
utilization, late and unassigned orders, and the orders the coordinator moved.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from supplymesh.planning.coordination.coordinator import SupplyPlan, binding_fill

MAX_TRUCK_RATIO = 1.1  # trucks used may exceed the lane-window lower bounds by at most 10 %


def projected_fill_rate(plan: pd.DataFrame) -> float:
    """Expected fill rate of the plan over the protection period (normal loss function):
    ``1 - sum(sigma_P L(k)) / sum(d P)``, ``k = (position after orders - d P) / sigma_P``."""
    d = plan["mean_daily_demand"].to_numpy(float)
    days = (plan["lead_time_mean_days"] + plan["review_period_days"]).to_numpy(float)
    demand = d * days
    sigma = np.sqrt(days) * plan["demand_std_daily"].to_numpy(float)
    position = (plan["inventory_position"] + plan["order_quantity"]).to_numpy(float)
    nd = NormalDist()
    k = np.where(sigma > 0, (position - demand) / np.where(sigma > 0, sigma, 1.0), 10.0)
    loss = np.array([nd.pdf(x) - x * (1 - nd.cdf(x)) for x in np.clip(k, -10, 10)])
    short = np.where(sigma > 0, sigma * loss, np.maximum(demand - position, 0.0))
    total = demand.sum()
    return float(1.0 - short.sum() / total) if total > 0 else 1.0


KPI_COLUMNS = [
    "run_id",
    "plan_date",
    "computed_at",
    "orders_proposed",
    "orders_planned",
    "orders_pulled_forward",
    "orders_deferred",
    "coordination_rounds",
    "order_value",
    "projected_fill_rate",
    "inventory_value",
    "transport_cost",
    "trucks",
    "lower_bound_trucks",
    "trucks_over_lower_bound",
    "mean_truck_utilization",
    "late_orders",
    "unassigned_orders",
    "previous_run_id",
    "projected_fill_rate_change",
    "inventory_value_change",
    "transport_cost_change",
    "trucks_change",
    "mean_truck_utilization_change",
]
CHANGED = [
    "projected_fill_rate",
    "inventory_value",
    "transport_cost",
    "trucks",
    "mean_truck_utilization",
]


def supply_plan_kpis(
    plan: SupplyPlan, run_id: str, computed_at: pd.Timestamp, previous: pd.DataFrame | None
) -> pd.DataFrame:
    """This run's KPI row appended to the previous runs', with its change from the last one."""
    inv = plan.inventory_plan
    loads = plan.shipments.loads
    ships = plan.shipments.shipments
    lower = lower_bound_total(loads)
    row = {
        "run_id": run_id,
        "plan_date": pd.Timestamp(inv["plan_date"].max()).date() if len(inv) else None,
        "computed_at": computed_at,
        "orders_proposed": plan.proposed_orders,
        "orders_planned": int(inv["order_due"].sum()),
        "orders_pulled_forward": int((plan.decisions["action"] == "pull_forward").sum()),
        "orders_deferred": int((plan.decisions["action"] == "defer").sum()),
        "coordination_rounds": plan.rounds,
        "order_value": float(inv["order_value"].sum()),
        "projected_fill_rate": projected_fill_rate(inv) if len(inv) else np.nan,
        "inventory_value": float((inv["on_hand"] * inv["unit_cost"]).sum()),
        "transport_cost": float(loads["cost"].sum()) if len(loads) else 0.0,
        "trucks": len(loads),
        "lower_bound_trucks": lower,
        "trucks_over_lower_bound": (len(loads) / lower - 1.0) if lower else 0.0,
        "mean_truck_utilization": float(binding_fill(loads).mean()) if len(loads) else np.nan,
        "late_orders": int(ships["is_late"].sum()) if len(ships) else 0,
        "unassigned_orders": int((ships["status"] == "unassigned").sum()) if len(ships) else 0,
    }
    last = None
    if previous is not None and len(previous):
        last = previous.sort_values("computed_at").iloc[-1]
    row["previous_run_id"] = None if last is None else last["run_id"]
    for col in CHANGED:
        row[f"{col}_change"] = np.nan if last is None else float(row[col]) - float(last[col])
    frames = [f for f in (previous, pd.DataFrame([row])) if f is not None and len(f)]
    out = pd.concat(frames, ignore_index=True)
    return conform_kpis(out)


def lower_bound_total(loads: pd.DataFrame) -> int:
    """Sum of the lower bounds of the lane windows (each window's bound is on all its loads)."""
    if loads.empty:
        return 0
    return int(loads.groupby(["lane_id", "ship_date"])["lower_bound_trucks"].first().sum())


def conform_kpis(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=KPI_COLUMNS).copy()
    out["plan_date"] = pd.Series(
        [None if pd.isna(v) else pd.Timestamp(v).date() for v in out["plan_date"]],
        index=out.index,
        dtype="object",
    )
    out["computed_at"] = pd.to_datetime(out["computed_at"]).astype("datetime64[ns]")
    ints = [
        "orders_proposed",
        "orders_planned",
        "orders_pulled_forward",
        "orders_deferred",
        "coordination_rounds",
        "trucks",
        "lower_bound_trucks",
        "late_orders",
        "unassigned_orders",
    ]
    for col in ints:
        out[col] = out[col].fillna(0).astype("int64")
    floats = [
        c
        for c in KPI_COLUMNS
        if c not in ints and c not in ("run_id", "plan_date", "computed_at", "previous_run_id")
    ]
    for col in floats:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["run_id"] = out["run_id"].astype(str)
    out["previous_run_id"] = (
        out["previous_run_id"].astype("object").where(out["previous_run_id"].notna(), None)
    )
    return out.reset_index(drop=True)
