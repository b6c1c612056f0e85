"""planning.supply_plan_decisions v1: every adjustment the coordinator made, and why."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class SupplyPlanDecisionsV1(pa.DataFrameModel):
    """One purchase order the coordinator pulled forward or deferred in one planning run."""

    run_id: Series[str] = column("Planning run.")
    plan_date: Series[pa.Date] = column("Day the plan was made.")
    round: Series[int] = column("Coordination round (plan -> adjust -> re-plan).", ge=1)
    action: Series[str] = column("pull_forward or defer.", isin=["pull_forward", "defer"])
    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre.")
    lane_id: Series[str] = column("Lane of the load concerned.")
    load_id: Series[str] = column("Load that prompted the decision.")
    service_class: Series[str] = column("ABC/XYZ class (criticality) of the item.")
    quantity: Series[int] = column("Units pulled forward or deferred.", ge=0)
    reason: Series[str] = column("Why, in the planner's words.")

    class Config:
        name = "planning.supply_plan_decisions v1"
        unique = ["run_id", "sku", "location_id"]
        strict = True
