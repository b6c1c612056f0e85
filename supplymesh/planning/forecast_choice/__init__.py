"""The forecaster that chooses: per demand class, among the global model, the statistical peers
and their means, on evidence from earlier backtest windows only, with a calibrated P90.

* ``demand_classes``: smooth, erratic, intermittent or lumpy per series (ADI and CV²).
* ``selection``: the forecaster choosing per class on earlier backtest windows only.
* ``conformal``: split-conformal P90 per step (and class) from backtest residuals.
"""
