"""The supply coordinator above inventory and logistics.

* ``coordinator``: pull orders forward or defer them until the truck plan is stable.
* ``kpis``: the settled plan's KPIs.
* ``plan_checks``: invariants of the published plans, for asset checks.
* ``evaluation``: the report of forecast, inventory and logistics figures (``mesh evaluate``).
"""

from supplymesh.planning.coordination.coordinator import CoordinationConfig, SupplyPlan, coordinate
from supplymesh.planning.coordination.kpis import supply_plan_kpis

__all__ = ["CoordinationConfig", "SupplyPlan", "coordinate", "supply_plan_kpis"]
