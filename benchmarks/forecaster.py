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

Usage: ``python -m benchmarks.forecaster <MESH_HOME> [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def _metrics(m: object) -> dict[str, object]:
    fields = ("mase", "mase_total", "wape", "bias", "p90_coverage", "n_series", "n_rows")
    return {
        k: (round(v, 4) if isinstance(v, float) else v)
        for k in fields
        if (v := getattr(m, k)) is not None
    }


def measure_forecaster(home: Path) -> dict[str, object]:
    """Backtest, classify, select and score on ``home``'s features mart."""
    from supplymesh.planning.forecasting.backtest import FORECAST_COLUMN, run_backtest
    from supplymesh.planning.forecasting.demand_classes import classify_at_origins
    from supplymesh.planning.forecasting.forecast import prepare_frame
    from supplymesh.planning.forecasting.metrics import coverage, pooled_metrics
    from supplymesh.planning.forecasting.model import ForecastParams
    from supplymesh.planning.forecasting.selection import (
        FORECAST,
        Candidates,
        final_choice,
        rolling_upper,
        select_forecaster,
    )
    from supplymesh.planning_inputs import FEATURES_MART, read_mart
    from supplymesh.planning_settings import load_planning_settings
    from supplymesh.settings import MeshPaths

    out: dict[str, object] = {"load_before": os.getloadavg()}
    settings = load_planning_settings(home)
    horizon, n_origins = settings.forecast.horizon_days, settings.backtest.origins
    features = read_mart(MeshPaths(home), FEATURES_MART)
    started = time.perf_counter()
    backtest = run_backtest(
        features, ForecastParams(horizon=horizon), horizon=horizon, n_origins=n_origins
    )
    out["backtest_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    frame, as_of = prepare_frame(features)
    history = frame[frame["_history"]]
    classes = classify_at_origins(history, backtest.origins)
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
    out["forecaster_p90_coverage_by_class"] = {
        str(cls): round(coverage(part["actual"].to_numpy(), part["forecaster_p90"].to_numpy()), 4)
        for cls, part in scored.groupby("demand_class")
    }
    out["forecaster_mase_by_class"] = {
        str(cls): {
            m: round(pooled_metrics(part, col, totals).mase, 4)
            for m, col in {**FORECAST_COLUMN, FORECAST: FORECAST}.items()
        }
        for cls, part in scored.groupby("demand_class")
    }
    out["classes_at_last_origin"] = (
        classes[classes["origin"] == backtest.origins[-1]]["demand_class"].value_counts().to_dict()
    )
    choices = sel.choices.assign(origin=sel.choices["origin"].map(lambda o: o.date().isoformat()))
    out["choices"] = choices.round(4).astype(object).where(choices.notna(), None).to_dict("records")
    now = classify_at_origins(history, [as_of]).drop(columns="origin")
    final = final_choice(backtest.predictions, backtest.scales, now, candidates)
    out["final_choice"] = final.table().round(4).to_dict("records")
    out["load_after"] = os.getloadavg()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = measure_forecaster(args.home.resolve())
    text = json.dumps(result, indent=2, default=str)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
