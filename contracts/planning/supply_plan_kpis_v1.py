"""planning.supply_plan_kpis v1: the supply plan as a whole, one row per planning run."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class SupplyPlanKpisV1(pa.DataFrameModel):
    """The business figures of one settled supply plan, and their change from the previous run."""

    run_id: Series[str] = column("Planning run.", unique=True)
    plan_date: Series[pa.Date] = column("Day the plan was made.")
    computed_at: Series[pa.DateTime] = column("When the run settled the plan (UTC).")
    orders_proposed: Series[int] = column("Orders the inventory policy proposed.", ge=0)
    orders_planned: Series[int] = column("Orders in the settled plan.", ge=0)
    orders_pulled_forward: Series[int] = column("Orders the coordinator pulled forward.", ge=0)
    orders_deferred: Series[int] = column("Orders the coordinator deferred a review.", ge=0)
    coordination_rounds: Series[int] = column("Plan -> adjust rounds until stable.", ge=0)
    order_value: Series[float] = column(
        "Purchase value of the planned orders.", "confidential", ge=0
    )
    projected_fill_rate: Series[float] = column(
        "Expected share of demand over the protection period served from stock.",
        nullable=True,
        ge=0,
        le=1,
    )
    inventory_value: Series[float] = column(
        "Value of stock on hand at plan time.", "confidential", ge=0
    )
    transport_cost: Series[float] = column("Cost of the planned truckloads.", "confidential", ge=0)
    trucks: Series[int] = column("Truckloads planned.", ge=0)
    lower_bound_trucks: Series[int] = column("Sum of the lane-window lower bounds on trucks.", ge=0)
    trucks_over_lower_bound: Series[float] = column(
        "trucks / lower bound - 1 (0 = provably the fewest trucks).", ge=0
    )
    mean_truck_utilization: Series[float] = column(
        "Mean utilization of each load's binding capacity.", nullable=True, ge=0, le=1.000001
    )
    late_orders: Series[int] = column("Orders that cannot arrive by their need-by date.", ge=0)
    unassigned_orders: Series[int] = column("Orders on no truck (with a reason).", ge=0)
    previous_run_id: Series[str] = column("The run the changes compare with.", nullable=True)
    projected_fill_rate_change: Series[float] = column(
        "Change from the previous run.", nullable=True
    )
    inventory_value_change: Series[float] = column(
        "Change from the previous run.", "confidential", nullable=True
    )
    transport_cost_change: Series[float] = column(
        "Change from the previous run.", "confidential", nullable=True
    )
    trucks_change: Series[float] = column("Change from the previous run.", nullable=True)
    mean_truck_utilization_change: Series[float] = column(
        "Change from the previous run.", nullable=True
    )

    class Config:
        name = "planning.supply_plan_kpis v1"
        strict = True
