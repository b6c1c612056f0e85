"""The selecting forecaster and the conformal P90 on a materialized world (issue 12, items 2-3).

On a runtime folder whose dbt marts are built (``mesh generate`` + ``mesh materialize``):

1. the training backtest of the demand model on the features mart (the settings' horizon and
   origins, default parameters, no search: the search changes the model, not the selection);
2. demand classes at every origin from the history up to it (``classify_at_origins``);
3. the forecaster over the candidates that exist today (model, seasonal naive, moving average
   and their means), chosen per class on closed earlier windows only;
4. scores on the non-warm-up origins, every method on the same rows; the model's P90 coverage
   with its quantile model's P90 and with the rolling conformal P90 of its P50; the choices.

Times are wall clock of this process; the load average is recorded before and after.

With ``--history FILE --freq D|W|M`` the backtest is ``mesh forecast backtest``'s of a history
file (item_id, location_id, date, quantity) instead of the mart's.

Usage: ``python -m benchmarks.forecaster <MESH_HOME> [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from supplymesh.planning.forecasting.backtest import Backtest


def _metrics(m: object) -> dict[str, object]:
    fields = ("mase", "mase_total", "wape", "bias", "p90_coverage", "n_series", "n_rows")
    return {
        k: (round(v, 4) if isinstance(v, float) else v)
        for k in fields
        if (v := getattr(m, k)) is not None
    }


def mart_backtest(home: Path) -> tuple[Backtest, pd.DataFrame]:
    """The training backtest on ``home``'s features mart, and the mart's history rows."""
    from supplymesh.planning.forecasting.backtest import run_backtest
    from supplymesh.planning.forecasting.forecast import prepare_frame
    from supplymesh.planning.forecasting.model import ForecastParams
    from supplymesh.planning_inputs import FEATURES_MART, read_mart
    from supplymesh.planning_settings import load_planning_settings
    from supplymesh.settings import MeshPaths

    settings = load_planning_settings(home)
    horizon, n_origins = settings.forecast.horizon_days, settings.backtest.origins
    features = read_mart(MeshPaths(home), FEATURES_MART)
    params = ForecastParams(horizon=horizon)
    backtest = run_backtest(features, params, horizon=horizon, n_origins=n_origins)
    frame, _ = prepare_frame(features)
    return backtest, frame[frame["_history"]]


def history_backtest(path: Path, freq: str, horizon: int | None) -> tuple[Backtest, pd.DataFrame]:
    """``mesh forecast backtest``'s backtest of a history file, and its history rows."""
    from supplymesh.planning.forecasting.features import history_features
    from supplymesh.planning.forecasting.forecast import prepare_frame
    from supplymesh.planning.forecasting.history_backtest import backtest_history, read_history

    history = read_history(path)
    _report, backtest = backtest_history(history, freq, horizon)
    frame, _ = prepare_frame(history_features(history, freq, backtest.horizon), backtest.spec)
    return backtest, frame[frame["_history"]]


def measure_forecaster(backtest: Backtest, history: pd.DataFrame) -> dict[str, object]:
    """Classify, select and score on a backtest of ``history``."""
    from supplymesh.planning.forecast_choice.demand_classes import classify_at_origins
    from supplymesh.planning.forecast_choice.selection import (
        FORECAST,
        Candidates,
        final_choice,
        rolling_upper,
        select_forecaster,
    )
    from supplymesh.planning.forecasting.backtest import FORECAST_COLUMN
    from supplymesh.planning.forecasting.metrics import coverage, pooled_metrics

    out: dict[str, object] = {}
    started = time.perf_counter()
    freq = backtest.spec.freq
    classes = classify_at_origins(history, backtest.origins, freq)
    candidates = Candidates(FORECAST_COLUMN, upper_columns={"model": "p90"})
    sel = select_forecaster(backtest.predictions, backtest.scales, classes, candidates)
    out["selection_seconds"] = round(time.perf_counter() - started, 2)
    totals = backtest.total_scales
    out["origins"] = [o.date().isoformat() for o in backtest.origins]
    out["warm_up"] = [o.date().isoformat() for o in sel.warm_up]
    out["scored"] = {m: _metrics(s) for m, s in sel.scores(totals).items()}
    out["all_origins_backtest"] = {m: _metrics(s) for m, s in backtest.summary().items()}
    # the model's P90: its quantile model vs the rolling conformal P90 of its P50
    rows = sel.predictions.assign(p50_conformal_p90=rolling_upper(sel.predictions, "p50"))
    scored = rows[rows["origin"].isin(sel.scored_origins)]
    scored = scored[scored["actual"].notna() & ~scored["is_stockout"]]
    a = scored["actual"].to_numpy()
    out["model_p90_coverage"] = {
        "quantile_model": round(coverage(a, scored["p90"].to_numpy()), 4),
        "conformal": round(coverage(a, scored["p50_conformal_p90"].to_numpy()), 4),
    }
    by_class = scored.groupby("demand_class")
    out["forecaster_p90_coverage_by_class"] = {
        str(cls): round(coverage(part["actual"].to_numpy(), part["forecaster_p90"].to_numpy()), 4)
        for cls, part in by_class
    }
    out["mase_by_class"] = {
        str(cls): {
            m: round(pooled_metrics(part, col, totals).mase, 4)
            for m, col in {**FORECAST_COLUMN, FORECAST: FORECAST}.items()
        }
        for cls, part in by_class
    }
    last = classes[classes["origin"] == backtest.origins[-1]]
    out["classes_at_last_origin"] = last["demand_class"].value_counts().to_dict()
    choices = sel.choices.assign(origin=sel.choices["origin"].map(lambda o: o.date().isoformat()))
    out["choices"] = choices.round(4).astype(object).where(choices.notna(), None).to_dict("records")
    as_of = history["demand_date"].max()
    now = classify_at_origins(history, [as_of], freq).drop(columns="origin")
    final = final_choice(backtest.predictions, backtest.scales, now, candidates)
    out["final_choice"] = final.table().round(4).to_dict("records")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, nargs="?", help="a materialized runtime folder")
    parser.add_argument("--history", type=Path, help="a history file instead (item_id, ...)")
    parser.add_argument("--freq", default="D", choices=["D", "W", "M"])
    parser.add_argument("--horizon", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    loads = {"load_before": os.getloadavg()}
    started = time.perf_counter()
    if args.history:
        backtest, history = history_backtest(args.history, args.freq, args.horizon)
    elif args.home:
        backtest, history = mart_backtest(args.home.resolve())
    else:
        parser.error("give a runtime folder or --history")
    loads["backtest_seconds"] = round(time.perf_counter() - started, 1)
    result = {**loads, **measure_forecaster(backtest, history), "load_after": os.getloadavg()}
    text = json.dumps(result, indent=2, default=str)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
