"""The inventory agent: periodic-review (s, S) policy by ABC/XYZ class, and its replay.

* ``classification``: ABC/XYZ classes, intermittency and service targets per class.
* ``demand_risk``, ``protection_quantiles``: forecast error over the protection period and
  lead-time spread; empirical quantiles for intermittent items.
* ``lead_times``: lead time per series, supplier -> DC statistics with fallbacks.
* ``policy_inputs``, ``policy``: safety stock, reorder point, order-up-to and the orders due now.
* ``simulation_inputs``, ``simulation``: the held-out replay against a weeks-of-cover rule.
"""

from supplymesh.planning.inventory.classification import ServiceTargets, classify_series
from supplymesh.planning.inventory.policy import plan_inventory, round_to_case_pack, safety_stock
from supplymesh.planning.inventory.simulation import SimulationConfig, evaluate_policy

__all__ = [
    "ServiceTargets",
    "SimulationConfig",
    "classify_series",
    "evaluate_policy",
    "plan_inventory",
    "round_to_case_pack",
    "safety_stock",
]
