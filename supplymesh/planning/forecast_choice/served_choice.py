"""The champion's serving choice applied to the daily forecast: per demand class, the model's
forecast or a peer's (or their mean), with the conformal P90.

The daily forecast starts from the model's (``forecasting.forecast.forecast_from_origin``).
For each series, its class as of the forecast origin (``classify_demand`` on the history the
forecast read) picks the choice the champion's backtest made for that class (the global one
for a class it did not choose for). Then:

* a series whose choice is the model alone keeps the model's P50 and P90 unchanged;
* any other series gets the chosen methods' forecasts (statsforecast's peers fitted on that
  series' history up to the origin, the baselines from the same history, the window model
  fitted on every series' history), their mean as P50,
  and the conformal P90 of the champion's residual quantiles (per class and step), scaled by
  the series' MASE scale on that history.

Only the series that need a peer are fitted, so a champion whose choice is the model everywhere
costs nothing, and one that picks a peer for a class costs that class's fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.forecast_choice.candidates import GLOBAL
from supplymesh.planning.forecast_choice.demand_classes import classify_demand
from supplymesh.planning.forecast_choice.selection import FORECAST, FORECAST_P90, FinalChoice
from supplymesh.planning.forecasting.backtest import FORECAST_COLUMN, MODEL
from supplymesh.planning.forecasting.baseline import moving_average
from supplymesh.planning.forecasting.features import FeatureSpec
from supplymesh.planning.forecasting.metrics import series_scales
from supplymesh.planning.forecasting.peers import RUNS, forecast_peers
from supplymesh.planning.frames import SERIES_KEYS


@dataclass(frozen=True)
class ServedChoice:
    """The forecast after the choice, and which series took which method."""

    forecast: pd.DataFrame
    methods: pd.DataFrame  # sku, location_id, demand_class, method (the choice's label)


def series_methods(final: FinalChoice, classes: pd.DataFrame) -> pd.DataFrame:
    """Each series' class and chosen methods (``classes``: sku, location_id, demand_class), as
    ``FinalChoice.forecast`` applies them: its class's choice, else the global one, else the
    default."""
    known = {c: ch for c, (ch, _basis) in final.by_class.items() if c != GLOBAL}
    fallback = final.by_class.get(GLOBAL, (None, ""))[0]
    default = (final.candidates.default,)

    def methods(cls: str) -> tuple[str, ...]:
        choice = known.get(cls, fallback)
        return choice.methods if choice is not None else default

    out = classes[[*SERIES_KEYS, "demand_class"]].copy()
    out["methods"] = out["demand_class"].map(methods)
    out["method"] = out["methods"].map(lambda m: m[0] if len(m) == 1 else f"mean({', '.join(m)})")
    return out


def _method_columns(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    needed: set[str],
    as_of: pd.Timestamp,
    spec: FeatureSpec,
    window_history: pd.DataFrame,
) -> pd.DataFrame:
    """``rows`` with a column per needed non-model method, from ``history`` up to ``as_of``
    (the window model learns from ``window_history``: every series)."""
    targets = rows[[*SERIES_KEYS, "demand_date"]]
    if "moving_average" in needed:
        rows[FORECAST_COLUMN["moving_average"]] = moving_average(
            history, targets, as_of, spec.moving_average_window, spec.freq
        )
    peers = [p for p in RUNS if p in needed]
    if peers:
        values = forecast_peers(history, targets, spec, peers, window_history).values
        for peer in peers:
            rows[peer] = values[peer].to_numpy()
    return rows


def apply_final_choice(
    final: FinalChoice,
    forecast: pd.DataFrame,
    history: pd.DataFrame,
    as_of: pd.Timestamp,
    spec: FeatureSpec,
) -> ServedChoice:
    """The model's ``forecast`` (sku, location_id, forecast_date, horizon_day, p50, p90,
    seasonal_naive) with the serving choice applied (see module docs); ``history``: sku,
    location_id, demand_date, units_sold, is_stockout of the same series up to ``as_of``."""
    classes = classify_demand(history, as_of, spec.freq)
    chosen = series_methods(final, classes)
    others = chosen[chosen["methods"].map(lambda m: m != (MODEL,))]
    if others.empty:
        return ServedChoice(forecast, chosen.drop(columns="methods"))
    keyed = forecast.reset_index(drop=True)
    mask = keyed[SERIES_KEYS].merge(others[SERIES_KEYS], how="left", indicator=True)
    at = (mask["_merge"] == "both").to_numpy()
    rows = keyed.loc[at, [*SERIES_KEYS, "p50", "seasonal_naive", "horizon_day"]].copy()
    rows["demand_date"] = pd.to_datetime(keyed.loc[at, "forecast_date"])
    rows["step"] = rows["horizon_day"].astype("int64")
    keep = history.merge(others[SERIES_KEYS], on=SERIES_KEYS)
    needed = {m for methods in others["methods"] for m in methods}
    rows = _method_columns(rows, keep, needed, as_of, spec, history)
    for column in final.candidates.columns.values():
        if column not in rows:
            rows[column] = np.nan  # a method no series here needs
    rows = rows.merge(classes[[*SERIES_KEYS, "demand_class"]], on=SERIES_KEYS, how="left")
    scales = series_scales(keep, spec.season, spec.freq)
    rows = rows.merge(scales, on=SERIES_KEYS, how="left")
    served = final.forecast(rows)
    out = keyed.copy()
    out.loc[at, "p50"] = served[FORECAST].to_numpy()
    out.loc[at, "p90"] = served[FORECAST_P90].to_numpy()
    return ServedChoice(out, chosen.drop(columns="methods"))
