"""The published shapes of a backtest: its table and its flat metadata.

The table (``ml.forecast_backtest``) has one row per method and level: overall, per origin and
per series, with the same columns at every level (origin, sku and location_id empty where a
level has none), so a consumer filters one table by ``level``. The metadata (the training
asset's) carries every method's overall figures and seconds, which peers ran on which series,
and the best peer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from supplymesh.planning.forecasting.metrics import ForecastMetrics

if TYPE_CHECKING:
    from supplymesh.planning.forecasting.backtest import Backtest


def levels_table(backtest: Backtest, model_version: str) -> pd.DataFrame:
    """Every method of ``backtest`` overall, per origin and per series, under ``model_version``."""
    rows = []
    for method, m in backtest.summary().items():
        rows.append({"level": "overall", "method": method, **_metric_fields(m)})
    for r in backtest.per_origin().itertuples():
        rows.append(
            {
                "level": "origin",
                "method": r.method,
                "origin": r.origin.date(),
                "mase": r.mase,
                "mase_total": r.mase_total,
                "wape": r.wape,
                "bias": r.bias,
                "p90_coverage": r.p90_coverage,
                "n_rows": r.n_rows,
            }
        )
    series = backtest.per_series().rename(columns={"n": "n_rows"})
    series = series.assign(level="series")
    out = pd.concat([pd.DataFrame(rows), series], ignore_index=True)
    out.insert(0, "model_version", model_version)
    for col in ("origin", "sku", "location_id"):
        if col not in out.columns:
            out[col] = None
    out["origin"] = out["origin"].astype("object").where(out["origin"].notna(), None)
    for col in ("sku", "location_id"):
        out[col] = out[col].astype("object").where(out[col].notna(), None)
    floats = ["mase", "mase_total", "wape", "bias", "p90_coverage"]
    out[floats] = out[floats].apply(pd.to_numeric, errors="coerce").astype(float)
    out["n_rows"] = out["n_rows"].fillna(0).astype("int64")
    return out[
        [
            "model_version",
            "level",
            "method",
            "origin",
            "sku",
            "location_id",
            *floats,
            "n_rows",
        ]
    ]


def metadata(backtest: Backtest) -> dict[str, object]:
    """Flat figures: origins, horizon, every method's overall figures and seconds; with peers,
    which ran on how many series and the best peer (with sampled peers, the model's MASE and
    the best peer's on the sample too, the comparison that holds)."""
    out: dict[str, object] = {
        "backtest_origins": ", ".join(o.date().isoformat() for o in backtest.origins),
        "backtest_horizon": backtest.horizon,
        "backtest_fit_seconds": round(backtest.fit_seconds, 1),
    }
    if backtest.peers:
        best = backtest.best_peer()
        n_all = backtest.n_series
        out["backtest_peers"] = ", ".join(backtest.peers)
        out["backtest_best_peer"] = best or "none"
        if backtest.sampled and backtest.peer_sample is not None:
            sample = backtest.peer_sample
            out["backtest_peer_series"] = f"{len(sample)} of {n_all} series (stable hash sample)"
            for key, method in (("model", "model"), ("best_peer", best)):
                if method is not None:
                    m = backtest.metrics(method, series=sample).mase
                    out[f"{key}_mase_on_peer_sample"] = round(float(m), 4)
        else:
            out["backtest_peer_series"] = f"all {n_all} series"
    for method, metrics in backtest.summary().items():
        for key in ("mase", "mase_total", "wape", "bias", "p90_coverage"):
            value = getattr(metrics, key)
            if value is not None and math.isfinite(value):  # none for a sample's network total
                out[f"{method}_{key}"] = round(float(value), 4)
        if method in backtest.seconds:
            out[f"{method}_seconds"] = round(backtest.seconds[method], 2)
    return out


def _metric_fields(m: ForecastMetrics) -> dict[str, object]:
    return {
        "mase": m.mase,
        "mase_total": m.mase_total,
        "wape": m.wape,
        "bias": m.bias,
        "p90_coverage": m.p90_coverage,
        "n_rows": m.n_rows,
    }
