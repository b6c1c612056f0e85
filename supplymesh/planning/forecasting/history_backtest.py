"""Backtest the demand model on any demand history a user brings.

The same global model, features (built from the history itself: ``features.history_features``)
and rolling-origin backtest the mesh runs on its own marts, at a daily, weekly or monthly grain,
scored beside seasonal naive and a moving average. The answer is a plain dict (``model`` and
``baselines`` sections) so ``mesh forecast backtest --json`` can print it as is.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pandas as pd

from supplymesh.planning.forecasting.backtest import Backtest, OriginProgress, run_backtest
from supplymesh.planning.forecasting.features import history_features, history_spec
from supplymesh.planning.forecasting.metrics import ForecastMetrics
from supplymesh.planning.forecasting.model import ForecastParams

DEFAULT_HORIZON = {"D": 28, "W": 4, "M": 3}
DEFAULT_ORIGINS = {"D": 4, "W": 4, "M": 3}


def read_history(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file with columns item_id, location_id, date, quantity."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".csv", ".txt"):
        frame = pd.read_csv(path)
    else:
        raise ValueError(f"{path}: expected a .csv or .parquet file")
    missing = {"item_id", "location_id", "date", "quantity"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), 4)


def metrics_dict(m: ForecastMetrics, with_coverage: bool) -> dict[str, float | int | None]:
    out = {
        "mase": _clean(m.mase),
        "mase_total": _clean(m.mase_total),
        "wape": _clean(m.wape),
        "bias": _clean(m.bias),
        "n_series": m.n_series,
        "n_rows": m.n_rows,
    }
    if with_coverage:
        out["p90_coverage"] = _clean(m.p90_coverage)
    return out


def backtest_history(
    history: pd.DataFrame,
    freq: str,
    horizon: int | None = None,
    n_origins: int | None = None,
    params: ForecastParams | None = None,
    progress: OriginProgress | None = None,
) -> tuple[dict[str, object], Backtest]:
    """Backtest the model on ``history`` and return the report dict and the backtest.

    ``progress(stage, done, total)`` (e.g. ``supplymesh.progress.Progress.update``) hears of the
    feature build, then of every origin as its fit starts, then once all origins are done.
    """
    if freq not in DEFAULT_HORIZON:
        raise ValueError(f"unknown frequency {freq!r}; choose one of {sorted(DEFAULT_HORIZON)}")
    horizon = int(horizon or DEFAULT_HORIZON[freq])
    n_origins = int(n_origins or DEFAULT_ORIGINS[freq])
    started = time.perf_counter()
    spec = history_spec(freq, horizon)
    if progress:
        progress("features", 0, n_origins)
    frame = history_features(history, freq, horizon)
    params = (params or ForecastParams()).with_values(horizon=horizon)
    backtest = run_backtest(
        frame, params, spec, horizon=horizon, n_origins=n_origins, on_origin=progress
    )
    summary = backtest.summary()
    report: dict[str, object] = {
        "freq": freq,
        "horizon": horizon,
        "season": spec.season,
        "origins": [o.date().isoformat() for o in backtest.origins],
        "n_series": int(frame[["sku", "location_id"]].drop_duplicates().shape[0]),
        "model": metrics_dict(summary["model"], with_coverage=True),
        "baselines": {
            "seasonal_naive": metrics_dict(summary["seasonal_naive"], with_coverage=False),
            "moving_average": metrics_dict(summary["moving_average"], with_coverage=False),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    naive = summary["seasonal_naive"].mase
    if naive and math.isfinite(naive):
        report["mase_vs_seasonal_naive"] = _clean(summary["model"].mase / naive)
    return report, backtest
