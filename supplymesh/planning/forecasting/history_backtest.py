"""Backtest the demand model on any demand history a user brings, or on a real dataset.

The same global model, features (built from the history itself: ``features.history_features``)
and rolling-origin backtest the mesh runs on its own marts, at a daily, weekly, monthly or
quarterly grain, scored beside seasonal naive, a moving average and the statistical peers
(``peers``). The answer is a plain dict (``model``, ``baselines`` and ``peers`` sections, each
method with its seconds, and ``best_peer``: the lowest MASE of every method but the model) so
``mesh forecast backtest --json`` can print it as is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from supplymesh.planning.fit_workers import AUTO, fit_workers
from supplymesh.planning.forecasting.backtest import (
    BASELINES,
    MODEL,
    P90_COLUMN,
    Backtest,
    OriginProgress,
    run_backtest,
)
from supplymesh.planning.forecasting.datasets import Dataset
from supplymesh.planning.forecasting.features import (
    history_features,
    history_spec,
    input_names,
)
from supplymesh.planning.forecasting.metrics import ForecastMetrics
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.forecasting.peers import NOT_PEERS, RUNS

DEFAULT_HORIZON = {"D": 28, "W": 4, "M": 3, "Q": 4}
DEFAULT_ORIGINS = {"D": 4, "W": 4, "M": 3, "Q": 3}


def _read_table(path: Path, required: set[str]) -> pd.DataFrame:
    """A CSV or Parquet file with the ``required`` columns, ``date`` parsed."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".csv", ".txt"):
        frame = pd.read_csv(path, dtype={"item_id": str, "location_id": str})
    else:
        raise ValueError(f"{path}: expected a .csv or .parquet file")
    missing = required - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def read_history(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file with columns item_id, location_id, date, quantity."""
    return _read_table(path, {"item_id", "location_id", "date", "quantity"})


def read_inputs(path: Path) -> pd.DataFrame:
    """Known-future inputs: date, optionally item_id and location_id, numeric columns
    (``features.history_features`` checks them)."""
    return _read_table(path, {"date"})


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), 4)


def metrics_dict(
    m: ForecastMetrics, with_coverage: bool, seconds: float | None = None
) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        "mase": _clean(m.mase),
        "mase_total": _clean(m.mase_total),
        "wape": _clean(m.wape),
        "bias": _clean(m.bias),
        "n_series": m.n_series,
        "n_rows": m.n_rows,
    }
    if with_coverage:
        out["p90_coverage"] = _clean(m.p90_coverage)
    if seconds is not None:
        out["seconds"] = round(seconds, 2)
    return out


def backtest_history(
    history: pd.DataFrame,
    freq: str,
    horizon: int | None = None,
    n_origins: int | None = None,
    params: ForecastParams | None = None,
    progress: OriginProgress | None = None,
    peers: Sequence[str] = RUNS,
    inputs: pd.DataFrame | None = None,
    workers: int = AUTO,
) -> tuple[dict[str, object], Backtest]:
    """Backtest the model and ``peers`` on ``history``; return the report dict and the backtest.
    The feature models' fits run in ``workers`` processes (``fit_workers``) beside the peers.

    ``inputs``: the history's known-future inputs (``features.history_features``), read by the
    feature models; the local peers forecast from the history alone.

    ``progress(stage, done, total)`` (e.g. ``supplymesh.progress.Progress.update``) hears of the
    feature build, then of every origin as its fit starts, then once all origins are done.
    """
    if freq not in DEFAULT_HORIZON:
        raise ValueError(f"unknown frequency {freq!r}; choose one of {sorted(DEFAULT_HORIZON)}")
    horizon = int(horizon or DEFAULT_HORIZON[freq])
    n_origins = int(n_origins or DEFAULT_ORIGINS[freq])
    started = time.perf_counter()
    spec = history_spec(freq, horizon, input_names(inputs))
    if progress:
        progress("features", 0, n_origins)
    frame = history_features(history, freq, horizon, inputs)
    params = (params or ForecastParams()).with_values(horizon=horizon)
    with fit_workers(workers) as pool:
        backtest = run_backtest(
            frame,
            params,
            spec,
            horizon=horizon,
            n_origins=n_origins,
            on_origin=progress,
            peers=peers,
            workers=pool,
        )
    report: dict[str, object] = {
        "freq": freq,
        "horizon": horizon,
        "season": spec.season,
        "origins": [o.date().isoformat() for o in backtest.origins],
        "n_series": int(frame[["sku", "location_id"]].drop_duplicates().shape[0]),
        "inputs": list(input_names(inputs)),
        **method_sections(backtest),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return report, backtest


def method_sections(backtest: Backtest) -> dict[str, object]:
    """``model``, ``baselines``, ``peers`` and the forecaster's other ``candidates`` (each
    method's metrics and seconds), ``best_peer``
    and the model's MASE relative to seasonal naive and to the best peer."""
    summary = backtest.summary()

    def section(method: str) -> dict[str, float | int | None]:
        seconds = backtest.seconds.get(method)
        return metrics_dict(summary[method], method in P90_COLUMN, seconds)

    out: dict[str, object] = {
        "model": section(MODEL),
        "baselines": {m: section(m) for m in BASELINES},
        "peers": {m: section(m) for m in backtest.peers if m not in NOT_PEERS},
        "candidates": {m: section(m) for m in backtest.peers if m in NOT_PEERS},
        "best_peer": backtest.best_peer(),
    }
    model = summary[MODEL].mase
    for key, method in (("seasonal_naive", "seasonal_naive"), ("best_peer", out["best_peer"])):
        other = summary[method].mase if method else float("nan")
        if other and math.isfinite(other):
            out[f"mase_vs_{key}"] = _clean(model / other)
    return out


def backtest_dataset(
    dataset: Dataset,
    params: ForecastParams | None = None,
    progress: OriginProgress | None = None,
    peers: Sequence[str] = RUNS,
) -> tuple[dict[str, object], Backtest]:
    """``backtest_history`` on a real dataset with its grain, horizon and origins."""
    report, backtest = backtest_history(
        dataset.history,
        dataset.freq,
        dataset.horizon,
        dataset.n_origins,
        params=params,
        progress=progress,
        peers=peers,
        inputs=dataset.inputs,
    )
    if backtest.origins != dataset.origins:
        raise ValueError(
            f"{dataset.name}: the backtest's origins {report['origins']} are not the dataset's "
            f"{[o.date().isoformat() for o in dataset.origins]} (too short a history?)"
        )
    split = dataset.split.date().isoformat() if dataset.split is not None else None
    return {"dataset": dataset.name, "official_split": split, **report}, backtest
