"""A forecaster that chooses, per demand class, the method with the best record on past windows.

No single method wins everywhere: the global model is strong on fast movers, seasonal naive on
some real weekly data, Croston-type methods on intermittent series. So the forecaster keeps
every method's backtest record and, at each origin, forecasts each demand class with the
candidate whose mean per-series MASE was lowest on the windows it could already have seen.

* Candidates and how one choice is made on evidence: ``candidates`` (every method column,
  the means of several, the rules for thin evidence and for classes).
* Rolling-origin evidence: at origin ``o`` only the windows of origins whose *whole* window
  (their last predicted date) ended on or before ``o`` count (``evidence_rows``; with a backtest
  step shorter than the horizon, the overlapping earlier windows are left out). The scored
  window itself is never evidence. Origins with fewer than ``min_evidence_origins`` evidence
  origins are warm-up: the default method forecasts them and they are reported apart.
* Per class (``candidates.choose_by_class``): a series' class is the one it had at the scored
  origin (``classify_at_origins``).
* P90: split conformal (``conformal``) on the forecaster's own residuals at the same evidence
  windows; warm-up origins get none.

``final_choice`` makes the serving choice from every window of the backtest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymesh.planning.forecast_choice.candidates import (
    GLOBAL,
    MIN_CLASS_SERIES,
    ROBUST_EVIDENCE_ORIGINS,
    THIN_EVIDENCE_MEMBERS,
    Candidates,
    Choice,
    choose_by_class,
    forecast_of,
)
from supplymesh.planning.forecast_choice.conformal import (
    LEVEL,
    MIN_RESIDUALS,
    ConformalQuantiles,
    calibrate,
)
from supplymesh.planning.forecasting.history_backtest import metrics_dict
from supplymesh.planning.forecasting.metrics import (
    ForecastMetrics,
    pooled_metrics,
)
from supplymesh.planning.frames import SERIES_KEYS

FORECAST = "forecaster"
FORECAST_P90 = "forecaster_p90"
CHOICE_COLUMNS = [
    "origin",
    "demand_class",
    "method",
    "basis",
    "evidence_mase",
    "n_series",
    "n_evidence_origins",
    "warm_up",
]


def window_ends(rows: pd.DataFrame) -> pd.Series:
    """The last predicted date of every origin's window (indexed by origin)."""
    return rows.groupby("origin")["demand_date"].max()


def evidence_rows(rows: pd.DataFrame, ends: pd.Series, origin: pd.Timestamp) -> pd.DataFrame:
    """The rows of origins whose whole window ended on or before ``origin``: all that was known
    there. The guard against choosing with the scored window."""
    visible = ends.index[ends <= origin]
    return rows[rows["origin"].isin(visible)]


def _scorable(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows that score a method: an actual, no stock-out, a positive scale."""
    keep = rows["actual"].notna() & ~rows["is_stockout"].astype(bool) & (rows["scale"] > 0)
    return rows[keep]


@dataclass
class Selection:
    """The forecaster over a backtest: its forecast beside every method, and its choices."""

    predictions: pd.DataFrame  # the input rows + scale, demand_class, forecaster, forecaster_p90
    choices: pd.DataFrame  # CHOICE_COLUMNS, one row per origin and class
    warm_up: list[pd.Timestamp]
    scored_origins: list[pd.Timestamp]
    candidates: Candidates = field(repr=False)

    def scored(self, warm_up: bool = False) -> pd.DataFrame:
        """Rows that count (an actual, no stock-out) at the scored (or the warm-up) origins."""
        p = self.predictions
        origins = self.warm_up if warm_up else self.scored_origins
        keep = p["actual"].notna() & ~p["is_stockout"].astype(bool) & p["origin"].isin(origins)
        return p[keep]

    def scores(
        self, total_scales: Mapping[pd.Timestamp, float], warm_up: bool = False
    ) -> dict[str, ForecastMetrics]:
        """The forecaster and every candidate, scored as ``Backtest.metrics`` scores (pooled
        over the scored origins, or the warm-up ones) on the same rows."""
        rows = self.scored(warm_up)
        upper = None if warm_up else FORECAST_P90
        out = {FORECAST: pooled_metrics(rows, FORECAST, total_scales, upper)}
        for method, col in self.candidates.columns.items():
            own_upper = self.candidates.upper_columns.get(method)
            out[method] = pooled_metrics(rows, col, total_scales, own_upper)
        return out

    def report(self, total_scales: Mapping[pd.Timestamp, float]) -> dict[str, object]:
        """The backtest report's section: every method on the scored origins, the warm-up
        origins apart, and the choices."""
        days = [o.date().isoformat() for o in self.scored_origins]

        def section(warm_up: bool) -> dict[str, object]:
            return {
                m: metrics_dict(s, with_coverage=s.p90_coverage is not None)
                for m, s in self.scores(total_scales, warm_up).items()
            }

        choices = self.choices.assign(origin=self.choices["origin"].map(lambda o: o.date()))
        return {
            "scored_origins": days,
            "warm_up_origins": [o.date().isoformat() for o in self.warm_up],
            "methods": section(False),
            "warm_up": section(True) if self.warm_up else {},
            "choices": choices.astype(object).where(choices.notna(), None).to_dict("records"),
        }


def with_scales_and_classes(
    predictions: pd.DataFrame, scales: pd.DataFrame, classes: pd.DataFrame
) -> pd.DataFrame:
    """Predictions with each series' MASE ``scale`` and ``demand_class`` at the row's origin."""
    keys = ["origin", *SERIES_KEYS]
    out = predictions.merge(scales[[*keys, "scale"]], on=keys, how="left")
    out = out.merge(classes[[*keys, "demand_class"]], on=keys, how="left")
    out["is_stockout"] = out["is_stockout"].fillna(False).astype(bool)
    return out


def _apply(
    rows: pd.DataFrame,
    where: np.ndarray,
    by_class: Mapping[str, tuple[Choice | None, str]],
    candidates: Candidates,
    out: np.ndarray,
) -> None:
    """Write each class's chosen forecast into ``out`` on the ``where`` rows (series without a
    class get the global choice; rows the choice cannot forecast keep what ``out`` holds)."""
    known = [c for c in by_class if c != GLOBAL]
    for cls, (choice, _basis) in by_class.items():
        if choice is None:
            continue
        in_class = (
            ~rows["demand_class"].isin(known) if cls == GLOBAL else rows["demand_class"] == cls
        )
        target = where & in_class.to_numpy()
        values = forecast_of(rows[target], choice.methods, candidates).to_numpy(dtype=float)
        out[target] = np.where(np.isnan(values), out[target], values)


def _choice_rows(
    origin: pd.Timestamp | None,
    by_class: Mapping[str, tuple[Choice | None, str]],
    n_evidence_origins: int,
) -> list[dict[str, object]]:
    return [
        {
            "origin": origin,
            "demand_class": cls,
            "method": choice.label if choice else None,
            "basis": basis,
            "evidence_mase": choice.evidence_mase if choice else float("nan"),
            "n_series": choice.n_series if choice else 0,
            "n_evidence_origins": n_evidence_origins,
            "warm_up": False,
        }
        for cls, (choice, basis) in by_class.items()
    ]


def rolling_upper(
    rows: pd.DataFrame,
    point_col: str,
    level: float = LEVEL,
    min_count: int = MIN_RESIDUALS,
) -> np.ndarray:
    """Conformal upper quantile of ``point_col`` at every origin, calibrated on the residuals of
    the same column at the origins whose windows had ended (``evidence_rows``); NaN at origins
    with none. ``rows``: ``with_scales_and_classes`` output with the point column."""
    ends = window_ends(rows)
    upper = np.full(len(rows), np.nan)
    for origin in ends.index:
        calibration = evidence_rows(rows, ends, origin)
        if calibration.empty:
            continue
        at = (rows["origin"] == origin).to_numpy()
        quantiles = calibrate(calibration, point_col, level, min_count)
        upper[at] = quantiles.upper(rows[at], point_col)
    return upper


def select_forecaster(
    predictions: pd.DataFrame,
    scales: pd.DataFrame,
    classes: pd.DataFrame,
    candidates: Candidates,
    *,
    min_class_series: int = MIN_CLASS_SERIES,
    min_evidence_origins: int = 1,
    thin_members: int = THIN_EVIDENCE_MEMBERS,
    level: float = LEVEL,
    min_residuals: int = MIN_RESIDUALS,
) -> Selection:
    """Choose per origin and class on earlier windows only, and forecast with the choice.

    ``predictions``: a backtest's wide rows (origin, sku, location_id, demand_date, step,
    actual, is_stockout and every candidate column); ``scales``: origin, sku, location_id,
    scale; ``classes``: origin, sku, location_id, demand_class (``classify_at_origins``).
    """
    rows = with_scales_and_classes(predictions, scales, classes)
    ends, scorable = window_ends(rows), _scorable(rows)
    forecast = forecast_of(rows, [candidates.default], candidates).to_numpy(dtype=float)
    choices: list[dict[str, object]] = []
    warm_up, scored = [], []
    for origin in ends.index:
        evidence = evidence_rows(scorable, ends, origin)
        n_evidence = int(evidence["origin"].nunique())
        if n_evidence < min_evidence_origins:
            warm_up.append(origin)
            choices.append(
                {
                    **_choice_rows(origin, {GLOBAL: (None, "warm_up")}, n_evidence)[0],
                    "method": candidates.default,
                    "warm_up": True,
                }
            )
            continue
        scored.append(origin)
        now = classes[classes["origin"] == origin]
        members = 1 if n_evidence >= ROBUST_EVIDENCE_ORIGINS else thin_members
        by_class = choose_by_class(evidence, now, candidates, min_class_series, members)
        _apply(rows, (rows["origin"] == origin).to_numpy(), by_class, candidates, forecast)
        choices.extend(_choice_rows(origin, by_class, n_evidence))
    rows[FORECAST] = forecast
    rows[FORECAST_P90] = rolling_upper(rows, FORECAST, level, min_residuals)
    rows.loc[rows["origin"].isin(warm_up), FORECAST_P90] = np.nan
    return Selection(
        predictions=rows,
        choices=pd.DataFrame(choices, columns=CHOICE_COLUMNS),
        warm_up=warm_up,
        scored_origins=scored,
        candidates=candidates,
    )


@dataclass
class FinalChoice:
    """The serving choice per class from every backtest window, and its calibrated P90."""

    by_class: dict[str, tuple[Choice | None, str]]
    quantiles: ConformalQuantiles
    candidates: Candidates = field(repr=False)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(_choice_rows(None, self.by_class, 0)).drop(
            columns=["origin", "n_evidence_origins", "warm_up"]
        )

    def forecast(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` (every candidate column, demand_class, step, scale) with ``forecaster``
        and its calibrated ``forecaster_p90``."""
        out = rows.copy()
        values = forecast_of(out, [self.candidates.default], self.candidates).to_numpy(float)
        _apply(out, np.ones(len(out), dtype=bool), self.by_class, self.candidates, values)
        out[FORECAST] = values
        out[FORECAST_P90] = self.quantiles.upper(out, FORECAST)
        return out


def final_choice(
    predictions: pd.DataFrame,
    scales: pd.DataFrame,
    classes: pd.DataFrame,
    candidates: Candidates,
    *,
    min_class_series: int = MIN_CLASS_SERIES,
    level: float = LEVEL,
    min_residuals: int = MIN_RESIDUALS,
) -> FinalChoice:
    """The choice per class for serving, from every window of the backtest, and conformal
    quantiles of the chosen forecast's residuals over every window. ``classes``: sku,
    location_id, demand_class as of the serving date (every row is grouped by it)."""
    keys = ["origin", *SERIES_KEYS]
    rows = predictions.merge(scales[[*keys, "scale"]], on=keys, how="left")
    rows = rows.merge(classes[[*SERIES_KEYS, "demand_class"]], on=SERIES_KEYS, how="left")
    rows["is_stockout"] = rows["is_stockout"].fillna(False).astype(bool)
    evidence = _scorable(rows)
    robust = evidence["origin"].nunique() >= ROBUST_EVIDENCE_ORIGINS
    members = 1 if robust else THIN_EVIDENCE_MEMBERS
    by_class = choose_by_class(evidence, classes, candidates, min_class_series, members)
    served = forecast_of(rows, [candidates.default], candidates).to_numpy(dtype=float)
    _apply(rows, np.ones(len(rows), dtype=bool), by_class, candidates, served)
    quantiles = calibrate(rows.assign(**{FORECAST: served}), FORECAST, level, min_residuals)
    return FinalChoice(by_class, quantiles, candidates)
