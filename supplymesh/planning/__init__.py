"""Pure planning logic: demand forecast and its model life cycle, inventory policy, transport.

No Dagster or dbt here: typed functions over pandas frames of the dbt marts and the published
products, so the assets stay thin wrappers and every rule is testable on a small synthetic frame
(``model_registry`` alone touches files: the model artifacts under ``$MESH_HOME/models``).

Forecast
  * ``features``, ``model``, ``forecast``: the global model, its features and forecasts.
  * ``baseline``, ``metrics``, ``backtest``: seasonal naive, moving average, MASE/WAPE/bias/
    coverage, rolling-origin backtest at every level.
  * ``tuning``, ``explain``, ``segments``, ``drift``: search, grouped importance, bias check,
    PSI/KS monitoring.
  * ``training``, ``promotion``, ``model_registry``: a challenger, the gate, the registry.
  * ``accuracy``, ``history_backtest``: accuracy over time; backtests of a user's own history.

Inventory
  * ``classification``: ABC/XYZ and service targets.
  * ``demand_risk``, ``inventory_risk``, ``inventory_inputs``: forecast error over the
    protection period, lead times, empirical quantiles.
  * ``inventory``: the (s, S) policy and the orders due now.
  * ``inventory_sim``, ``evaluation``: the held-out replay against weeks of cover; the report.

Transport and coordination
  * ``shipments`` (with ``truck_loading``): lanes, ship windows and truckloads.
  * ``coordination``: pull forward / defer until the plan is stable, and its KPIs.
  * ``plan_checks``: invariants of the outputs, for asset checks.
"""

from supplymesh.planning.forecast import (
    HoldoutScore,
    forecast_demand,
    forecast_error_std,
    forecast_with_model,
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
    "forecast_with_model",
    "plan_inventory",
    "plan_shipments",
    "round_to_case_pack",
    "safety_stock",
    "score_holdout",
]
