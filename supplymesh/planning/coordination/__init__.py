"""The supply coordinator above inventory and logistics.

* ``coordinator``: pull orders forward or defer them until the truck plan is stable.
* ``kpis``: the settled plan's KPIs.
* ``plan_checks``: invariants of the published plans, for asset checks.
* ``evaluation``: the report of forecast, inventory and logistics figures (``mesh evaluate``).
* ``supply_plan``: the whole settled plan from the frames it reads (what the asset runs).
"""

from supplymesh.planning.coordination.coordinator import CoordinationConfig, SupplyPlan, coordinate
from supplymesh.planning.coordination.kpis import supply_plan_kpis
from supplymesh.planning.coordination.supply_plan import (
    SettledSupplyPlan,
    SupplyPlanInputs,
    plan_supply,
)

__all__ = [
    "CoordinationConfig",
    "SettledSupplyPlan",
    "SupplyPlan",
    "SupplyPlanInputs",
    "coordinate",
    "plan_supply",
    "supply_plan_kpis",
]
