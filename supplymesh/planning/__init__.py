"""Pure planning logic: demand forecast, inventory policy and shipment plan.

No Dagster, dbt or I/O here: typed functions over pandas frames of the dbt marts, so the assets
stay thin wrappers and every rule is testable on a small synthetic frame.

* ``forecast`` (with ``model``, ``baseline``, ``metrics``): held-out score, forecast, error sigma.
* ``inventory``: periodic-review order-up-to policy and the orders due now.
* ``shipments`` (with ``truck_loading``): lanes, ship dates and truckloads for those orders.
* ``plan_checks``: invariants of the outputs, for asset checks.
"""

from supplymesh.planning.forecast import (
    HoldoutScore,
    forecast_demand,
    forecast_error_std,
    score_holdout,
)
from supplymesh.planning.inventory import plan_inventory, round_to_case_pack, safety_stock
from supplymesh.planning.model import DemandModel, ForecastParams
from supplymesh.planning.shipments import ShipmentPlan, plan_shipments

__all__ = [
    "DemandModel",
    "ForecastParams",
    "HoldoutScore",
    "ShipmentPlan",
    "forecast_demand",
    "forecast_error_std",
    "plan_inventory",
    "plan_shipments",
    "round_to_case_pack",
    "safety_stock",
    "score_holdout",
]
