"""Pure planning logic, one subpackage per agent of the supply-chain team.

No Dagster or dbt here: typed functions over pandas frames of the dbt marts and the published
products, so the assets stay thin wrappers and every rule is testable on a small synthetic frame.

* ``forecasting``: the demand forecast (global model, features, baselines, metrics, backtests).
* ``model_lifecycle``: search, challenger training, the champion/challenger gate, the model
  registry and drift monitoring (the registry alone touches files, under ``$MESH_HOME/models``).
* ``inventory``: ABC/XYZ classes, demand and lead-time risk, the (s, S) policy and its replay.
* ``logistics``: lanes, ship windows and truck loading.
* ``coordination``: the supply coordinator above inventory and logistics, its KPIs, plan
  invariants and the evaluation report.

This package imports none of its subpackages, so importing one agent never pays for another.
"""
