"""The champion as it serves: which model serves, its forecast with its measured error, and how
far the rows it forecasts now (and the latest demand) drifted from what it was trained on.

The ``demand_forecast`` asset runs ``serving_model``, ``champion_forecast`` and
``forecast_drift``; its checks report the two drift reports (``DriftReport.describe``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.forecasting.features import FeatureSpec
from supplymesh.planning.forecasting.forecast import (
    attach_error_std,
    error_std_from_predictions,
    forecast_with_model,
    future_rows,
    prepare_frame,
)
from supplymesh.planning.forecasting.model import DemandModel
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.drift import (
    DriftConfig,
    DriftReport,
    feature_drift,
    target_drift,
)


class NoServingModelError(LookupError):
    """No champion serves yet; the message says how to get one."""


@dataclass(frozen=True)
class ServingModel:
    """The champion's registry row and its unpickled model."""

    row: pd.Series
    model: DemandModel

    @property
    def trained_horizon(self) -> int | None:
        """The horizon the champion was trained for (its recipe's ``horizon``)."""
        return json.loads(self.row["params"]).get("horizon")

    @property
    def version(self) -> str:
        return str(self.row["model_version"])

    def backtest(self) -> pd.DataFrame:
        """The champion's backtest predictions (its measured error)."""
        return reg.load_backtest(self.row)

    def reference(self) -> pd.DataFrame:
        """The sample of training rows drift is measured against."""
        return reg.load_reference(self.row)


def serving_model(registry: pd.DataFrame) -> ServingModel:
    """The registry's champion, or ``NoServingModelError`` saying what to do when none serves."""
    row = reg.champion(registry)
    if row is None:
        pending = registry.loc[registry["decision"] == "awaiting_approval", "model_version"]
        hint = (
            f"approve one with `mesh forecast approve {pending.iloc[-1]} --by NAME`"
            if len(pending)
            else "materialize ml/forecast_models_v1 first"
        )
        raise NoServingModelError(f"no champion demand model serves yet: {hint}")
    return ServingModel(row, reg.load_model(row))


def champion_forecast(
    model: DemandModel, features: pd.DataFrame, backtest: pd.DataFrame, horizon: int
) -> pd.DataFrame:
    """The next ``horizon`` days of every series, with each series' daily error sigma measured
    on the model's own backtest (``error_std_daily``)."""
    forecast = forecast_with_model(model, features, horizon=horizon)
    return attach_error_std(forecast, error_std_from_predictions(backtest, forecast))


@dataclass(frozen=True)
class ForecastDrift:
    """Drift of the rows forecast now (``features``) and of the latest demand (``target``)."""

    features: DriftReport
    target: DriftReport


def forecast_drift(
    features: pd.DataFrame,
    spec: FeatureSpec,
    reference: pd.DataFrame,
    horizon: int,
    config: DriftConfig,
) -> ForecastDrift:
    """Compare the rows of the next ``horizon`` days, and the last ``horizon`` days of demand
    (stock-out days left out), with the champion's training ``reference``."""
    frame, as_of = prepare_frame(features, spec)
    with_origin = add_origin_features(frame, spec, horizon, as_of)
    scoring = future_rows(with_origin, as_of, horizon)
    start = as_of - pd.Timedelta(days=horizon)
    recent = frame[frame["_history"] & (frame["demand_date"] > start) & ~frame["is_stockout"]]
    return ForecastDrift(
        features=feature_drift(reference, scoring, config),
        target=target_drift(reference, recent, config),
    )
