"""The forecaster that chooses: per demand class, among the global model, the statistical peers
and their means, on evidence from earlier backtest windows only, with a calibrated P90.

* ``demand_classes``: smooth, erratic, intermittent or lumpy per series (ADI and CV²).
* ``selection``: the forecaster choosing per class on earlier backtest windows only.
* ``conformal``: split-conformal P90 per step (and class) from backtest residuals.
"""

from supplymesh.planning.forecast_choice.candidates import Candidates
from supplymesh.planning.forecast_choice.conformal import ConformalQuantiles, calibrate
from supplymesh.planning.forecast_choice.demand_classes import classify_at_origins, classify_demand
from supplymesh.planning.forecast_choice.selection import (
    FinalChoice,
    Selection,
    final_choice,
    select_forecaster,
)

__all__ = [
    "Candidates",
    "ConformalQuantiles",
    "FinalChoice",
    "Selection",
    "calibrate",
    "classify_at_origins",
    "classify_demand",
    "final_choice",
    "select_forecaster",
]
