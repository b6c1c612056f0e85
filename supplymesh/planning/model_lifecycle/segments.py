"""The bias check: is the forecast as good for every region and product category?

A model can look fine overall while failing one region or one category (a promotion mechanic it
never learnt, a holiday calendar it ignores). For each segment of each dimension the held-out
error and bias are computed, and the segment's *error ratio*, its error over the overall error,
is compared with a bound. Which error depends on what the rows carry:

* ``scaled_error`` and ``naive_scaled_error`` (the backtest's rows): the *relative MASE*, the
  model's MASE over the seasonal-naive MASE on the same rows, i.e. how much better than the
  naive forecast the model is. A segment is judged on that skill, so a category that is simply
  hard (strongly seasonal, or small and noisy) is not failed for being hard: on the generated
  world the frozen category's MASE is 1.4x the total while the naive forecast struggles there
  just as much, and on the real Complete Journey data the drug/GM department's WAPE is 1.5x the
  total with an ordinary MASE and bias;
* ``scaled_error`` only: MASE; otherwise WAPE.

A segment holding less than ``min_share`` of the volume, or fewer than ``min_series`` SKU x DC
series, is reported but not judged: a handful of units makes any ratio noise, and two series
are one item's result, not a segment's. The check fails when any judged segment's ratio exceeds
``max_error_ratio``; the champion/challenger gate then refuses the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning_settings import PlanningSettings

DIMENSIONS = ("region", "category")


@dataclass(frozen=True)
class SegmentCheckConfig:
    """Bounds of the bias check (the run's ``model.*segment*`` planning settings)."""

    max_error_ratio: float
    min_share: float  # segments below this share of actual volume are not judged
    min_series: int  # nor segments of fewer SKU x DC series: that is one item, not a segment
    dimensions: tuple[str, ...] = DIMENSIONS

    @classmethod
    def from_settings(cls, settings: PlanningSettings) -> SegmentCheckConfig:
        model = settings.model
        return cls(model.max_segment_error_ratio, model.min_segment_share, model.min_segment_series)


@dataclass
class SegmentCheck:
    """The segment table and the verdict."""

    table: pd.DataFrame  # dimension, segment, share, error, wape, bias, error_ratio, judged, failed
    overall_error: float
    measure: str  # "relative MASE", "MASE" or "WAPE"
    config: SegmentCheckConfig
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def worst(self) -> tuple[str, float]:
        judged = self.table[self.table["judged"]] if len(self.table) else self.table
        if judged.empty:
            return ("none", float("nan"))
        row = judged.sort_values("error_ratio", ascending=False).iloc[0]
        return (f"{row['dimension']}={row['segment']}", float(row["error_ratio"]))


def _series_mean(rows: pd.DataFrame, column: str) -> float:
    """Mean over series of each series' mean of ``column`` (a MASE for scaled errors)."""
    keys = [c for c in SERIES_KEYS if c in rows.columns]
    per_series = rows.groupby(keys)[column].mean() if keys else rows[column]
    return float(per_series.mean())


def _measure(rows: pd.DataFrame) -> str:
    if {"scaled_error", "naive_scaled_error"} <= set(rows.columns):
        return "relative MASE"
    return "MASE" if "scaled_error" in rows.columns else "WAPE"


def _error(rows: pd.DataFrame, measure: str, forecast_col: str) -> float:
    if measure == "WAPE":
        total = float(rows["actual"].sum())
        return float((rows[forecast_col] - rows["actual"]).abs().sum() / total) if total else np.nan
    model = _series_mean(rows, "scaled_error")
    if measure == "MASE":
        return model
    naive = _series_mean(rows, "naive_scaled_error")
    return model / naive if naive > 0 else np.nan


def segment_errors(
    scored: pd.DataFrame, forecast_col: str = "p50"
) -> tuple[pd.DataFrame, float, str]:
    """Error, WAPE, bias and error ratio per segment of each dimension present in ``scored``;
    also the overall error and which measure it is."""
    measure = _measure(scored)
    rows = scored if measure == "WAPE" else scored[scored["scaled_error"].notna()]
    total = float(rows["actual"].sum())
    overall = _error(rows, measure, forecast_col)
    parts = []
    for dim in DIMENSIONS:
        if dim not in rows.columns:
            continue
        for segment, part in rows.groupby(rows[dim].astype(str)):
            err = part[forecast_col] - part["actual"]
            actual = float(part["actual"].sum())
            keys = [c for c in SERIES_KEYS if c in part.columns]
            parts.append(
                {
                    "dimension": dim,
                    "segment": segment,
                    "n_rows": len(part),
                    "n_series": len(part[keys].drop_duplicates()) if keys else np.nan,
                    "actual": actual,
                    "share": actual / total if total else np.nan,
                    "error": _error(part, measure, forecast_col),
                    "wape": float(err.abs().sum() / actual) if actual > 0 else np.nan,
                    "bias": float(err.sum() / actual) if actual > 0 else np.nan,
                }
            )
    table = pd.DataFrame(parts)
    if table.empty:
        return table, overall, measure
    table["error_ratio"] = table["error"] / overall if overall and overall > 0 else np.nan
    return table, overall, measure


def check_segments(
    scored: pd.DataFrame, config: SegmentCheckConfig, forecast_col: str = "p50"
) -> SegmentCheck:
    """Judge every segment holding at least ``min_share`` of the volume against the bound.

    ``scored``: held-out rows (stock-outs excluded) with actual, the forecast column, the
    segment columns (region, category) and optionally the scaled errors (see the module
    docstring)."""
    table, overall, measure = segment_errors(scored, forecast_col)
    if table.empty:
        return SegmentCheck(table, overall, measure, config)
    table = table[table["dimension"].isin(config.dimensions)].copy()
    enough_series = table["n_series"].isna() | (table["n_series"] >= config.min_series)
    table["judged"] = (table["share"] >= config.min_share) & enough_series
    table["failed"] = table["judged"] & (table["error_ratio"] > config.max_error_ratio)
    failures = [
        f"{r.dimension}={r.segment}: {measure} {r.error:.3f} is {r.error_ratio:.2f}x the "
        f"overall {overall:.3f} (bound {config.max_error_ratio}), bias {r.bias:+.3f}, "
        f"{r.share:.1%} of volume"
        for r in table[table["failed"]].itertuples()
    ]
    table = table.sort_values(["dimension", "error_ratio"], ascending=[True, False])
    return SegmentCheck(table.reset_index(drop=True), overall, measure, config, failures)
