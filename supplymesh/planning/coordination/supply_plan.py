"""The settled supply plan: the inventory policy's orders, loaded onto trucks, adjusted by the
coordinator until the plan is stable, with its KPIs, its decisions and its invariant checks.

``plan_supply`` is what the ``supply_plan`` asset runs. It takes the frames the asset reads (the
marts dbt built, the products published upstream, the champion's backtest and the KPI history)
and returns every frame the asset publishes, so a test can plan a supply chain without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.coordination.coordinator import (
    CoordinationConfig,
    binding_fill,
    coordinate,
)
from supplymesh.planning.coordination.kpis import MAX_TRUCK_RATIO, supply_plan_kpis
from supplymesh.planning.coordination.plan_checks import check_inventory_plan, check_shipment_plan
from supplymesh.planning.inventory.classification import ServiceTargets
from supplymesh.planning.inventory.policy import plan_inventory
from supplymesh.planning.inventory.policy_inputs import policy_inputs
from supplymesh.planning.inventory.protection_quantiles import lead_time_samples, lead_time_stats
from supplymesh.planning_settings import PlanningSettings

HISTORY_COLUMNS = ["sku", "location_id", "demand_date", "units_sold"]


@dataclass(frozen=True)
class SupplyPlanInputs:
    """What the supply plan reads, as frames."""

    forecast: pd.DataFrame  # planning.demand_forecast (with forecast_origin, error_std_daily)
    features: pd.DataFrame  # the fct_demand_features mart (history rows flagged is_history)
    positions: pd.DataFrame  # the fct_inventory_position mart (items with weights and packs)
    lanes: pd.DataFrame  # the fct_lane_stats mart
    receipts: pd.DataFrame  # procurement.purchase_receipts
    locations: pd.DataFrame  # network.locations (location_id, handling_days)
    backtest: pd.DataFrame  # the serving champion's backtest predictions
    previous_kpis: pd.DataFrame | None = None  # planning.supply_plan_kpis as served, if any


@dataclass(frozen=True)
class SettledSupplyPlan:
    """The frames of one settled plan, ready to publish, and what its invariants found."""

    plan_date: pd.Timestamp
    inventory_plan: pd.DataFrame
    shipments: pd.DataFrame
    loads: pd.DataFrame
    kpis: pd.DataFrame  # the previous runs' KPI rows and this run's, last
    decisions: pd.DataFrame  # run_id, plan_date, then the coordinator's decision columns
    inventory_violations: list[str]  # whole cases, MOQ, order-up-to (empty when they hold)
    shipment_violations: list[str]  # one truck per order, capacity, need-by dates

    @property
    def latest_kpis(self) -> pd.Series:
        """This run's KPI row."""
        return self.kpis.iloc[-1]

    @property
    def trucks(self) -> int:
        return int(self.latest_kpis["trucks"])

    @property
    def lower_bound_trucks(self) -> int:
        """Sum over lane windows of the loads' binding dimension over the truck's capacity."""
        return int(self.latest_kpis["lower_bound_trucks"])

    @property
    def trucks_near_lower_bound(self) -> bool:
        return self.trucks <= MAX_TRUCK_RATIO * self.lower_bound_trucks

    @property
    def mean_binding_fill(self) -> float:
        return float(binding_fill(self.loads).mean()) if len(self.loads) else 0.0


def plan_supply(
    inputs: SupplyPlanInputs,
    settings: PlanningSettings,
    run_id: str,
    computed_at: pd.Timestamp,
) -> SettledSupplyPlan:
    """Propose orders with the inventory policy (classes, the settings' service targets and
    measured risk), settle them with the coordinator and compute the run's KPIs and invariant
    checks. The plan date is the forecast's origin.
    """
    targets = ServiceTargets.from_settings(settings)
    coordination = CoordinationConfig.from_settings(settings)
    samples = lead_time_samples(inputs.receipts, inputs.locations)
    stats = lead_time_stats(samples)
    history = inputs.features[inputs.features["is_history"].fillna(False).astype(bool)]
    review = coordination.review_period_days
    policy = policy_inputs(
        history[HISTORY_COLUMNS], inputs.positions, stats, samples, inputs.backtest, targets, review
    )
    plan_date = pd.Timestamp(inputs.forecast["forecast_origin"].max())
    proposal = plan_inventory(
        inputs.forecast,
        None,
        inputs.positions,
        stats,
        plan_date,
        service_level=settings.inventory.unclassified_service_level,
        review_period_days=review,
        classes=policy.classes,
        risk=policy.risk,
    )
    settled = coordinate(
        proposal, policy.classes, inputs.positions, inputs.lanes, plan_date, coordination
    )
    plan = settled.inventory_plan[proposal.columns]
    shipments, loads = settled.shipments.shipments, settled.shipments.loads
    decisions = settled.decisions.assign(run_id=run_id, plan_date=plan_date.date())
    return SettledSupplyPlan(
        plan_date=plan_date,
        inventory_plan=plan,
        shipments=shipments,
        loads=loads,
        kpis=supply_plan_kpis(settled, run_id, computed_at, inputs.previous_kpis),
        decisions=decisions[["run_id", "plan_date", *settled.decisions.columns]],
        inventory_violations=check_inventory_plan(plan, inputs.positions),
        shipment_violations=check_shipment_plan(shipments, loads, inputs.lanes),
    )
