"""The logistics agent: orders consolidated onto trucks per lane and ship date.

* ``shipments``: lane choice, ship windows, shipments and truck loads.
* ``truck_loading``: bin packing (first-fit decreasing, exact CP-SAT for small loads).
"""

from supplymesh.planning.logistics.shipments import ShipmentPlan, plan_shipments
from supplymesh.planning.logistics.truck_loading import PackResult, pack

__all__ = ["PackResult", "ShipmentPlan", "pack", "plan_shipments"]
