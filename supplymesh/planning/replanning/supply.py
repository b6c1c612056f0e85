"""The supply plan of the pairs in a replan's scope, spliced into the served plan.

What is recomputed, and over what:

* **Network-wide statistics, over every series** (as the full run computes them): lead times,
  the ABC/XYZ classes (ABC ranks every series by value) and the calibrated demand z (pooled per
  class across series). Computing them over the scope alone would give other classes and other
  buffers than a full run; they are cheap next to the forecast and dbt.
* **The policy and the coordination, over the scope's pairs only**: the orders of the scope's
  pairs, their shipments and the trucks of their lanes (every load on a lane only carries the
  lane's pairs, all of them in scope). Pairs out of scope keep their served rows, loads and
  decisions; a class the new ranking would give one of them waits for the next full run.

The KPI row is measured on the spliced plan; its ``orders_proposed`` adds the scope's proposals
to those the served decisions show for the other pairs (due now, plus deferred, less pulled
forward). ``class_shifts`` lists the pairs out of scope whose class the new ranking changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.coordination.coordinator import (
    DECISION_COLUMNS,
    CoordinationConfig,
    SupplyPlan,
    coordinate,
)
from supplymesh.planning.coordination.kpis import supply_plan_kpis
from supplymesh.planning.coordination.plan_checks import check_inventory_plan, check_shipment_plan
from supplymesh.planning.coordination.supply_plan import (
    HISTORY_COLUMNS,
    SettledSupplyPlan,
    SupplyPlanInputs,
)
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.inventory.classification import ServiceTargets
from supplymesh.planning.inventory.policy import plan_inventory
from supplymesh.planning.inventory.policy_inputs import policy_inputs
from supplymesh.planning.inventory.protection_quantiles import lead_time_samples, lead_time_stats
from supplymesh.planning.logistics.shipments import ShipmentPlan
from supplymesh.planning.replanning.scope import ReplanScope
from supplymesh.planning.replanning.splice import splice
from supplymesh.planning_settings import PlanningSettings

SHIPMENT_KEYS = ["sku", "destination_id"]


@dataclass(frozen=True)
class ReplannedSupply:
    """The spliced plan, and the pairs out of scope whose class the new ranking changes (sku,
    location_id, served_class, new_class): they keep their served plan until a full run."""

    plan: SettledSupplyPlan
    class_shifts: pd.DataFrame


@dataclass(frozen=True)
class ServedPlan:
    """The settled plan consumers are served now, one frame per product."""

    inventory_plan: pd.DataFrame
    shipments: pd.DataFrame
    loads: pd.DataFrame
    decisions: pd.DataFrame


def _in(frame: pd.DataFrame, pairs: pd.DataFrame, keys: list[str] = SERIES_KEYS) -> pd.DataFrame:
    """The rows of ``frame`` whose ``keys`` are the pairs' (sku, location_id)."""
    wanted = pairs[SERIES_KEYS].astype(str).set_axis(keys, axis=1).drop_duplicates()
    return frame.astype({k: str for k in keys}).merge(wanted, on=keys)


def proposed_outside(served: ServedPlan, pairs: pd.DataFrame) -> int:
    """Orders the policy proposed for the served pairs out of scope: due now, plus deferred,
    less pulled forward (the coordinator's decisions undone)."""
    keep = ~served.inventory_plan.astype({"sku": str, "location_id": str}).set_index(
        SERIES_KEYS
    ).index.isin(pairs.set_index(SERIES_KEYS).index)
    due = int(served.inventory_plan.loc[keep, "order_due"].astype(bool).sum())
    decided = served.decisions.astype({"sku": str, "location_id": str})
    outside = ~decided.set_index(SERIES_KEYS).index.isin(pairs.set_index(SERIES_KEYS).index)
    actions = decided.loc[outside, "action"]
    return due + int((actions == "defer").sum()) - int((actions == "pull_forward").sum())


def class_shifts(served: ServedPlan, classes: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Served pairs out of scope whose service class the new network-wide ranking changes."""
    plan = served.inventory_plan.astype({"sku": str, "location_id": str})
    outside = plan[~plan.set_index(SERIES_KEYS).index.isin(pairs.set_index(SERIES_KEYS).index)]
    both = outside[[*SERIES_KEYS, "service_class"]].merge(
        classes.astype({"sku": str, "location_id": str})[[*SERIES_KEYS, "service_class"]],
        on=SERIES_KEYS,
        suffixes=("_served", "_new"),
    )
    moved = both[both["service_class_served"] != both["service_class_new"]]
    return moved.rename(
        columns={"service_class_served": "served_class", "service_class_new": "new_class"}
    ).reset_index(drop=True)


def replan_supply(
    inputs: SupplyPlanInputs,
    served: ServedPlan,
    scope: ReplanScope,
    settings: PlanningSettings,
    run_id: str,
    computed_at: pd.Timestamp,
) -> ReplannedSupply:
    """The settled plan with the scope's pairs replanned from ``inputs`` (the products and
    marts as served after the event) and every other pair's rows as ``served``."""
    targets = ServiceTargets.from_settings(settings)
    coordination = CoordinationConfig.from_settings(settings)
    review = coordination.review_period_days
    samples = lead_time_samples(inputs.receipts, inputs.locations)
    stats = lead_time_stats(samples)
    history = inputs.features[inputs.features["is_history"].fillna(False).astype(bool)]
    policy = policy_inputs(
        history[HISTORY_COLUMNS], inputs.positions, stats, samples, inputs.backtest, targets, review
    )
    plan_date = pd.Timestamp(inputs.forecast["forecast_origin"].max())
    pairs = scope.pairs[SERIES_KEYS].astype(str)
    positions = _in(inputs.positions, pairs)
    proposal = plan_inventory(
        _in(inputs.forecast, pairs),
        None,
        positions,
        stats,
        plan_date,
        service_level=settings.inventory.unclassified_service_level,
        review_period_days=review,
        classes=policy.classes,
        risk=policy.risk,
    )
    settled = coordinate(proposal, policy.classes, positions, inputs.lanes, plan_date, coordination)
    fresh = settled.shipments
    ship_pairs = pairs.set_axis(SHIPMENT_KEYS, axis=1)
    lanes = set(_in(served.shipments, pairs, SHIPMENT_KEYS)["lane_id"].dropna())
    lanes |= set(fresh.shipments["lane_id"].dropna())
    lane_scope = pd.DataFrame({"lane_id": sorted(map(str, lanes))})
    inventory = splice(
        served.inventory_plan, settled.inventory_plan[proposal.columns], SERIES_KEYS, pairs,
        sort_by=SERIES_KEYS,
    )  # fmt: skip
    shipments = splice(served.shipments, fresh.shipments, SHIPMENT_KEYS, ship_pairs, ["po_id"])
    loads = splice(served.loads, fresh.loads, ["lane_id"], lane_scope, ["load_id"])
    decided = settled.decisions.assign(run_id=run_id, plan_date=plan_date.date())
    decisions = splice(
        served.decisions, decided[["run_id", "plan_date", *DECISION_COLUMNS]], SERIES_KEYS, pairs
    )
    whole = SupplyPlan(
        inventory,
        ShipmentPlan(shipments, loads),
        decisions,
        settled.rounds,
        settled.proposed_orders + proposed_outside(served, pairs),
    )
    settled_plan = SettledSupplyPlan(
        plan_date=plan_date,
        inventory_plan=inventory,
        shipments=shipments,
        loads=loads,
        kpis=supply_plan_kpis(whole, run_id, computed_at, inputs.previous_kpis),
        decisions=decisions,
        inventory_violations=check_inventory_plan(inventory, inputs.positions),
        shipment_violations=check_shipment_plan(shipments, loads, inputs.lanes),
    )
    return ReplannedSupply(settled_plan, class_shifts(served, policy.classes, pairs))
