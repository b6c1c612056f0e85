"""What the champion's serving choice costs the daily forecast (issue 12, item 3).

On a materialized runtime folder (a champion serves; the features mart is built), the daily
forecast's scoring (``serving.serve_forecast`` over ``series_chunks``, as the
``demand_forecast`` asset runs it) three ways:

1. ``model``: no choice applied (the path before the forecaster);
2. ``champion``: the champion's own ``final_choice.json`` (what the daily run does now);
3. ``worst_case``: a choice that sends every class to AutoETS and AutoTheta's mean (every
   series fitted by statsforecast twice): the ceiling of what a choice can cost.

Each is timed once (wall clock of this process), with the load average before and after, and
the series each method served. Usage: ``python -m benchmarks.served_choice <MESH_HOME>``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path


def main() -> None:
    from supplymesh.planning.forecast_choice.candidates import GLOBAL, Choice
    from supplymesh.planning.forecasting.origin_features import read_back_periods
    from supplymesh.planning.model_lifecycle.drift import DriftConfig
    from supplymesh.planning.model_lifecycle.serving import serve_forecast, serving_model
    from supplymesh.planning_inputs import (
        FEATURES_MART,
        features_read_back,
        published_model_registry,
        series_chunks,
    )
    from supplymesh.planning_settings import load_planning_settings
    from supplymesh.settings import MeshPaths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    args = parser.parse_args()
    paths = MeshPaths(args.home.resolve())
    settings = load_planning_settings(paths.home)
    serving = serving_model(published_model_registry(paths))
    champion = serving.final_choice()
    worst = None
    if champion is not None:
        both = Choice(("auto_ets", "auto_theta"), float("nan"), 0)
        classes = [*champion.by_class, "smooth", "erratic", "intermittent", "lumpy"]
        worst = replace(champion, by_class={c: (both, "forced") for c in {*classes, GLOBAL}})
    backtest, reference = serving.backtest(), serving.reference()
    window = features_read_back(read_back_periods(serving.model.spec))
    horizon = settings.forecast.horizon_days
    out: dict[str, object] = {"champion": serving.version}
    for name, choice in (("model", None), ("champion", champion), ("worst_case", worst)):
        if name != "model" and choice is None:
            out[name] = "the champion saved no choice"
            continue
        load = os.getloadavg()[0]
        started = time.perf_counter()
        served = serve_forecast(
            serving.model,
            series_chunks(paths, FEATURES_MART, where=window),
            backtest,
            reference,
            horizon,
            DriftConfig.from_settings(settings),
            choice,
        )
        out[name] = {
            "seconds": round(time.perf_counter() - started, 1),
            "load_before_after": [round(load, 2), round(os.getloadavg()[0], 2)],
            "series_by_method": served.method_counts(),
        }
        print(json.dumps({name: out[name]}), flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
