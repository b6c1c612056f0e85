"""The champion as it serves: which model serves, its forecast with its measured error, and how
far the rows it forecasts now (and the latest demand) drifted from what it was trained on.

The ``demand_forecast`` asset runs ``serving_model`` and ``serve_forecast`` over the features
mart in chunks of whole series (``planning_inputs.series_chunks``), so the large world is scored
in the memory of one chunk; its checks report the two drift reports (``DriftReport.describe``).
When the champion saved a serving choice (``final_choice.json``), each chunk's series whose
demand class chose a peer or a combination get that forecast and the conformal P90
(``forecast_choice.served_choice``); the others keep the model's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.forecast_choice.selection import FinalChoice
from supplymesh.planning.forecast_choice.served_choice import apply_final_choice
from supplymesh.planning.forecast_choice.stored_choice import choice_from_json
from supplymesh.planning.forecasting.backtest import DEMAND_COLUMNS
from supplymesh.planning.forecasting.forecast import (
    attach_error_std,
    error_std_from_predictions,
    forecast_from_origin,
    future_rows,
    prepare_frame,
)
from supplymesh.planning.forecasting.model import DemandModel
from supplymesh.planning.forecasting.origin_features import add_origin_features
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.drift import (
    DriftConfig,
    DriftReport,
    feature_drift,
    monitored_columns,
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

    def final_choice(self) -> FinalChoice | None:
        """The forecaster's serving choice per class, if the champion saved one."""
        stored = reg.load_final_choice(self.row)
        return None if stored is None else choice_from_json(stored)


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


@dataclass(frozen=True)
class ForecastDrift:
    """Drift of the rows forecast now (``features``) and of the latest demand (``target``)."""

    features: DriftReport
    target: DriftReport


@dataclass(frozen=True)
class ScoredSeries:
    """One chunk of series scored by the champion: its forecast (before the error sigma) and
    the rows drift is measured on, kept to the monitored columns."""

    forecast: pd.DataFrame
    scoring: pd.DataFrame  # the rows forecast, with the inputs drift monitors
    recent: pd.DataFrame  # the last ``horizon`` days of demand (stock-out days left out)
    methods: pd.DataFrame | None = None  # each series' class and chosen method, with a choice


def score_series(
    model: DemandModel,
    features: pd.DataFrame,
    horizon: int,
    monitored: list[str],
    choice: FinalChoice | None = None,
) -> ScoredSeries:
    """Forecast the next ``horizon`` days of the series in ``features`` (whole series, history
    reaching ``read_back_periods`` before the as-of date), with the serving ``choice`` applied,
    and keep the ``monitored`` columns of the rows drift compares. The frame is prepared once."""
    frame, as_of = prepare_frame(features, model.spec)
    frame = add_origin_features(frame, model.spec, horizon, as_of)
    forecast = forecast_from_origin(model, frame, as_of, horizon)
    methods = None
    if choice is not None:
        history = frame.loc[frame["_history"], DEMAND_COLUMNS]
        served = apply_final_choice(choice, forecast, history, as_of, model.spec)
        forecast, methods = served.forecast, served.methods
    keep = [c for c in [*SERIES_KEYS, *monitored, "units_sold"] if c in frame.columns]
    start = as_of - pd.Timedelta(days=horizon)
    recent = frame[frame["_history"] & (frame["demand_date"] > start) & ~frame["is_stockout"]]
    return ScoredSeries(forecast, future_rows(frame, as_of, horizon)[keep], recent[keep], methods)


@dataclass(frozen=True)
class ServedForecast:
    """The champion's forecast of every series, with its measured error, and its drift."""

    forecast: pd.DataFrame
    drift: ForecastDrift
    methods: pd.DataFrame | None = None  # each series' class and served method, with a choice

    def method_counts(self) -> dict[str, int]:
        """How many series each method served (the model's alone without a choice)."""
        if self.methods is None:
            return {"model": int(self.forecast[SERIES_KEYS].drop_duplicates().shape[0])}
        return {str(k): int(v) for k, v in self.methods["method"].value_counts().items()}


def serve_forecast(
    model: DemandModel,
    chunks: Iterable[pd.DataFrame],
    backtest: pd.DataFrame,
    reference: pd.DataFrame,
    horizon: int,
    config: DriftConfig,
    choice: FinalChoice | None = None,
) -> ServedForecast:
    """The next ``horizon`` days of every series in ``chunks`` (each chunk whole series), each
    series with its daily error sigma measured on the model's own ``backtest``; the rows forecast
    and the last ``horizon`` days of demand compared with the champion's training ``reference``.
    Memory follows one chunk: only the forecast and the monitored columns are kept. With the
    champion's serving ``choice``, series whose class chose a peer or a combination are served
    by it."""
    monitored = monitored_columns(list(reference.columns))
    parts = [score_series(model, chunk, horizon, monitored, choice) for chunk in chunks]
    forecast = pd.concat([p.forecast for p in parts], ignore_index=True)
    forecast = forecast.sort_values(["sku", "location_id", "horizon_day"], kind="stable")
    forecast = forecast.reset_index(drop=True)
    forecast = attach_error_std(forecast, error_std_from_predictions(backtest, forecast))
    drift = ForecastDrift(
        features=feature_drift(
            reference, pd.concat([p.scoring for p in parts], ignore_index=True), config
        ),
        target=target_drift(
            reference, pd.concat([p.recent for p in parts], ignore_index=True), config
        ),
    )
    methods = [p.methods for p in parts if p.methods is not None]
    return ServedForecast(
        forecast, drift, pd.concat(methods, ignore_index=True) if methods else None
    )
