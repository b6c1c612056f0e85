"""The demand forecast: a global gradient-boosted model over lag, calendar and price features.

* ``features``: origin-safe features of the daily mart and of a user's own history.
* ``model``: ``DemandModel`` (P50 and P90) and its fit.
* ``forecast``: forecasts with a fitted model, holdout scores and error spreads.
* ``baseline``, ``metrics``: seasonal naive and moving average; MASE, WAPE, bias, coverage.
* ``backtest``, ``history_backtest``: rolling-origin backtests of the mart and of any history.
* ``accuracy``: accuracy of published forecasts as their actuals arrive.
* ``demand_classes``: smooth, erratic, intermittent or lumpy per series (ADI and CV²).
* ``selection``: the forecaster choosing per class on earlier backtest windows only.
* ``conformal``: split-conformal P90 per step (and class) from backtest residuals.
"""

from supplymesh.planning.forecasting.backtest import Backtest, run_backtest
from supplymesh.planning.forecasting.conformal import ConformalQuantiles, calibrate
from supplymesh.planning.forecasting.demand_classes import classify_at_origins, classify_demand
from supplymesh.planning.forecasting.forecast import (
    HoldoutScore,
    forecast_demand,
    forecast_error_std,
    forecast_with_model,
    score_holdout,
)
from supplymesh.planning.forecasting.metrics import ForecastMetrics
from supplymesh.planning.forecasting.model import DemandModel, ForecastParams, fit_demand_model
from supplymesh.planning.forecasting.selection import (
    Candidates,
    FinalChoice,
    Selection,
    final_choice,
    select_forecaster,
)

__all__ = [
    "Backtest",
    "Candidates",
    "ConformalQuantiles",
    "DemandModel",
    "FinalChoice",
    "ForecastMetrics",
    "ForecastParams",
    "HoldoutScore",
    "Selection",
    "calibrate",
    "classify_at_origins",
    "classify_demand",
    "final_choice",
    "fit_demand_model",
    "forecast_demand",
    "forecast_error_std",
    "forecast_with_model",
    "run_backtest",
    "score_holdout",
    "select_forecaster",
]
