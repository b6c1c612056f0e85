"""The forecaster on a finished backtest: the choice per class at every origin, every method
scored on the same origins, and the choice to serve.

``forecasting`` runs the backtest and never imports this package; this module is the glue that
turns its predictions into the forecaster's report (``mesh forecast backtest``, the training
round, ``make bench-forecast``):

* Candidates: the model, both baselines and every peer that ran (``Backtest.methods``), and the
  means ``selection`` makes of the model with the best one or two others.
* Rows: those every candidate forecast (with sampled peers, the peers' sample; a series a peer
  could not fit at an early origin, e.g. one with no history yet, drops out there), so every
  method is scored on the same rows. With sampled peers there is no network total (``mase_total``
  is left out).
* Classes: ``classify_at_origins`` on the history up to each origin.
* Origins: the earliest origin (or more, until one earlier window has closed) is warm-up: the
  forecaster has no evidence there. Every method, the model and the peers included, is scored
  on the other origins only, and the report names both sets.
* ``final``: the serving choice per class from every window, with its conformal quantiles.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.forecast_choice.candidates import Candidates
from supplymesh.planning.forecast_choice.demand_classes import classify_at_origins
from supplymesh.planning.forecast_choice.selection import (
    FORECAST,
    FORECAST_P90,
    FinalChoice,
    Selection,
    final_choice,
    select_forecaster,
)
from supplymesh.planning.forecasting.backtest import (
    BASELINES,
    FORECAST_COLUMN,
    MODEL,
    OWN_MODELS,
    P90_COLUMN,
    Backtest,
)
from supplymesh.planning.forecasting.history_backtest import metrics_dict
from supplymesh.planning.forecasting.metrics import ForecastMetrics, pooled_metrics
from supplymesh.planning.forecasting.peers import NOT_PEERS


def backtest_candidates(backtest: Backtest) -> Candidates:
    """Every method of the backtest as a candidate, the model the anchor and the default."""
    methods = backtest.methods
    return Candidates(
        columns={m: FORECAST_COLUMN[m] for m in methods},
        upper_columns={m: P90_COLUMN[m] for m in methods if m in P90_COLUMN},
    )


def _iso(origins: list[pd.Timestamp]) -> list[str]:
    return [pd.Timestamp(o).date().isoformat() for o in origins]


def _ratio(a: float, b: float) -> float | None:
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        return None
    return round(a / b, 4)


@dataclass
class BacktestChoice:
    """The forecaster over one backtest: its selection, its serving choice and their cost."""

    backtest: Backtest
    selection: Selection
    final: FinalChoice
    seconds: float  # classifying, choosing and calibrating (the candidates' own time apart)

    @property
    def total_scales(self) -> dict[pd.Timestamp, float]:
        """The network-total scales, none when the rows are a sample (a sample has no total)."""
        return {} if self.backtest.sampled else self.backtest.total_scales

    @property
    def scored(self) -> bool:
        """Whether any origin was past its warm-up (with one origin, none is)."""
        return bool(self.selection.scored_origins)

    def scores(self) -> dict[str, ForecastMetrics]:
        """The forecaster and every method on the scored origins' rows."""
        return self.selection.scores(self.total_scales)

    def best_peer(self, scores: dict[str, ForecastMetrics]) -> str | None:
        """The lowest MASE of the baselines and peers (not the project's models, the forecaster's
        means or the forecaster)."""
        finite = {
            m: s.mase
            for m, s in scores.items()
            if m not in (*OWN_MODELS, FORECAST) and math.isfinite(s.mase)
        }
        return min(finite, key=lambda m: finite[m]) if finite else None

    def sections(self) -> dict[str, object]:
        """The backtest report's methods on the scored origins, the forecaster beside them, the
        ratios, and the choices (per origin and class; to serve, per class)."""
        b, sel = self.backtest, self.selection
        out: dict[str, object] = {
            "warm_up_origins": _iso(sel.warm_up),
            "scored_origins": _iso(sel.scored_origins),
            "scored_rows": "rows every method forecast"
            + (f" ({len(b.peer_sample)} sampled series)" if b.sampled else ""),
        }
        if not self.scored:
            return {**out, "forecaster": None, "note": "one origin: all warm-up, nothing scored"}
        scores = self.scores()

        def section(method: str) -> dict[str, float | int | None]:
            with_upper = method == FORECAST or method in P90_COLUMN
            return metrics_dict(scores[method], with_upper, b.seconds.get(method))

        best = self.best_peer(scores)
        forecaster = section(FORECAST)
        # the forecaster needs every candidate: its time is theirs plus its own choosing
        forecaster["seconds"] = round(sum(b.seconds.values()) + self.seconds, 2)
        forecaster["choice_seconds"] = round(self.seconds, 2)
        out.update(
            model=section(MODEL),
            baselines={m: section(m) for m in BASELINES},
            peers={m: section(m) for m in b.peers if m not in NOT_PEERS},
            candidates={m: section(m) for m in b.peers if m in NOT_PEERS},
            forecaster=forecaster,
            best_peer=best,
        )
        # the bar of issue 12 is the best peer; the best single method of all (the forecaster's
        # own candidates included) is reported too, so nobody has to trust the choice of bar
        singles = {m: s.mase for m, s in scores.items() if m != FORECAST and math.isfinite(s.mase)}
        if singles:
            out["best_method"] = min(singles, key=lambda m: singles[m])
            out["forecaster_vs_best_method"] = _ratio(
                scores[FORECAST].mase, singles[out["best_method"]]
            )
        naive = scores["seasonal_naive"].mase
        best_mase = scores[best].mase if best else float("nan")
        for who in (MODEL, FORECAST):
            prefix = "mase" if who == MODEL else "forecaster"
            out[f"{prefix}_vs_seasonal_naive"] = _ratio(scores[who].mase, naive)
            out[f"{prefix}_vs_best_peer"] = _ratio(scores[who].mase, best_mase)
        out["choices"] = self.choice_records()
        out["final_choice"] = self.final_records()
        return out

    def choice_records(self) -> list[dict[str, object]]:
        """The choice per scored origin and class (warm-up rows apart)."""
        c = self.selection.choices
        c = c[~c["warm_up"]].assign(origin=c["origin"].map(lambda o: o.date().isoformat()))
        c = c.drop(columns="warm_up").round({"evidence_mase": 4})
        return c.astype(object).where(c.notna(), None).to_dict("records")

    def final_records(self) -> list[dict[str, object]]:
        """The serving choice per class, from every window."""
        t = self.final.table().round({"evidence_mase": 4})
        return t.astype(object).where(t.notna(), None).to_dict("records")

    def table(self, model_version: str) -> pd.DataFrame:
        """The forecaster's ``ml.forecast_backtest`` rows: overall and per scored origin."""
        rows = self.selection.scored()
        parts = [("overall", None, rows)]
        parts += [
            ("origin", o.date(), rows[rows["origin"] == o]) for o in self.selection.scored_origins
        ]
        out = []
        for level, origin, part in parts:
            m = pooled_metrics(part, FORECAST, self.total_scales, FORECAST_P90)
            out.append(
                {
                    "model_version": model_version,
                    "level": level,
                    "method": FORECAST,
                    "origin": origin,
                    "sku": None,
                    "location_id": None,
                    **{k: getattr(m, k) for k in ("mase", "mase_total", "wape", "bias")},
                    "p90_coverage": m.p90_coverage,
                    "n_rows": m.n_rows,
                }
            )
        return pd.DataFrame(out)


def complete_rows(backtest: Backtest, candidates: Candidates) -> pd.DataFrame:
    """The predictions every candidate forecast (see module docs)."""
    p = backtest.predictions
    columns = list(candidates.columns.values())
    return p[p[columns].notna().all(axis=1)].reset_index(drop=True)


def choose_on_backtest(backtest: Backtest) -> BacktestChoice:
    """Classify at every origin, choose on earlier windows, score, and make the serving choice
    (ValueError when the backtest kept no demand history to classify)."""
    history = backtest.demand_history
    if history is None:
        raise ValueError("the backtest kept no demand history: the series cannot be classified")
    started = time.perf_counter()
    candidates = backtest_candidates(backtest)
    rows = complete_rows(backtest, candidates)
    freq = backtest.spec.freq
    classes = classify_at_origins(history, backtest.origins, freq)
    selection = select_forecaster(rows, backtest.scales, classes, candidates)
    as_of = pd.Timestamp(history["demand_date"].max())
    now = classify_at_origins(history, [as_of], freq).drop(columns="origin")
    final = final_choice(rows, backtest.scales, now, candidates)
    seconds = time.perf_counter() - started
    return BacktestChoice(backtest, selection, final, float(np.round(seconds, 4)))
