"""Forecast accuracy measures: MASE, WAPE, bias and quantile coverage.

Plain functions over arrays, plus helpers that apply them to the long frames the forecast
module scores. Conventions (documented because each has alternatives):

* MASE scales the forecast's mean absolute error by the *in-sample* mean absolute error of the
  seasonal-naive forecast (``y[t] - y[t-m]``, m = 7 days, 52 weeks or 12 months) over the
  training history, so 1.0 means "as good in the holdout as last season's value was in-sample".
  Pairs touching a stock-out period are left out of the scale, because censored sales are not
  demand. A series shorter than a season falls back to the one-step naive scale (``y[t] -
  y[t-1]``).
* Series MASE is the mean of per-series MASE over the series with a nonzero scale (a series that
  never changed season on season has no scale); the total-level MASE scores the network-total
  series (sum over the scored rows per period) against the same kind of scale.
* WAPE = sum|f - a| / sum a, bias = sum(f - a) / sum a (positive = over-forecast), coverage =
  share of actuals at or below the upper quantile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import period_index
from supplymesh.planning.frames import SERIES_KEYS

SEASON_DAYS = 7


def mase_scale(history: np.ndarray | pd.Series, season: int = SEASON_DAYS) -> float:
    """Mean absolute seasonal-naive error of one consecutive history (NaN pairs skipped)."""
    y = np.asarray(history, dtype=float)
    if y.size <= season:
        return float("nan")
    diff = np.abs(y[season:] - y[:-season])
    diff = diff[np.isfinite(diff)]
    return float(diff.mean()) if diff.size else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute error divided by ``scale``; NaN when the scale is zero or unknown."""
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.mean(np.abs(f - a)) / scale) if a.size else float("nan")


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: total absolute error over total actual."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    total = a.sum()
    return float(np.abs(f - a).sum() / total) if total > 0 else float("nan")


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Relative bias: total (forecast - actual) over total actual; > 0 means over-forecasting."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    total = a.sum()
    return float((f - a).sum() / total) if total > 0 else float("nan")


def coverage(actual: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals at or below the upper quantile (0.9 is calibrated for a P90)."""
    a, u = np.asarray(actual, dtype=float), np.asarray(upper, dtype=float)
    return float(np.mean(a <= u)) if a.size else float("nan")


@dataclass(frozen=True)
class ForecastMetrics:
    """Holdout accuracy of one forecast method."""

    mase: float
    mase_total: float
    wape: float
    bias: float
    p90_coverage: float | None
    n_series: int
    n_rows: int

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def _masked(history: pd.DataFrame, freq: str) -> pd.DataFrame:
    """History rows with units_sold blanked on stock-out periods (censored sales are not demand)
    and the period number of each row."""
    out = history[[*SERIES_KEYS, "demand_date", "units_sold"]].copy()
    out.loc[history["is_stockout"].astype(bool).to_numpy(), "units_sold"] = np.nan
    out["period"] = period_index(out["demand_date"], freq)
    return out


def _scale_by_period(frame: pd.DataFrame, keys: list[str], lag: int) -> pd.Series:
    """Mean |y(p) - y(p - lag)| per key, matching on period number (gaps never misalign)."""
    lagged = frame[[*keys, "period", "units_sold"]].copy()
    lagged["period"] = lagged["period"] + lag
    pairs = frame.merge(lagged, on=[*keys, "period"], suffixes=("", "_lag"))
    pairs["abs_diff"] = (pairs["units_sold"] - pairs["units_sold_lag"]).abs()
    if not keys:
        return pd.Series([pairs["abs_diff"].mean()])
    return pairs.groupby(keys)["abs_diff"].mean()


def series_scales(
    history: pd.DataFrame, season: int = SEASON_DAYS, freq: str = "D"
) -> pd.DataFrame:
    """Per-series MASE scale from training history (sku, location_id, demand_date, units_sold,
    is_stockout) -> frame sku, location_id, scale. Series with no season-apart pair get the
    one-step naive scale."""
    return ScaleIndex(history, season, freq).at(None)


class ScaleIndex:
    """``series_scales`` at any origin from one pass over a history: each row's season-apart
    and one-step differences are paired once, and the scales at an origin average those whose
    later period is on or before it (what ``series_scales`` of the history up to the origin
    gives, without pairing the rows again at every backtest origin)."""

    def __init__(self, history: pd.DataFrame, season: int = SEASON_DAYS, freq: str = "D") -> None:
        masked = _masked(history, freq)
        masked["_series"] = masked.groupby(SERIES_KEYS, sort=False).ngroup()
        self.freq = freq
        self.keys = masked.drop_duplicates("_series").set_index("_series")[SERIES_KEYS]
        self.first = masked.groupby("_series")["period"].min()
        self.seasonal = _differences(masked, season)
        self.step = _differences(masked, 1) if season > 1 else None

    def at(self, origin: pd.Timestamp | None) -> pd.DataFrame:
        """sku, location_id, scale of every series seen on or before ``origin`` (None: all)."""
        end = None if origin is None else int(period_index(pd.Series([origin]), self.freq)[0])
        seen = self.first.index if end is None else self.first.index[self.first <= end]
        scale = _mean_by_series(self.seasonal, end).reindex(seen)
        if scale.isna().any() and self.step is not None:
            scale = scale.fillna(_mean_by_series(self.step, end).reindex(seen))
        return self.keys.loc[seen].assign(scale=scale.to_numpy()).reset_index(drop=True)


def _differences(masked: pd.DataFrame, lag: int) -> pd.DataFrame:
    """``_series``, ``period`` (the later of the pair) and |y(p) - y(p - lag)|, matching on
    period number (gaps never misalign)."""
    lagged = masked[["_series", "period", "units_sold"]].assign(period=masked["period"] + lag)
    pairs = masked[["_series", "period", "units_sold"]].merge(
        lagged, on=["_series", "period"], suffixes=("", "_lag")
    )
    diff = (pairs["units_sold"] - pairs["units_sold_lag"]).abs()
    return pairs[["_series", "period"]].assign(abs_diff=diff)


def _mean_by_series(differences: pd.DataFrame, end: int | None) -> pd.Series:
    rows = differences if end is None else differences[differences["period"] <= end]
    return rows.groupby("_series")["abs_diff"].mean()


def total_scale(history: pd.DataFrame, season: int = SEASON_DAYS, freq: str = "D") -> float:
    """MASE scale of the network-total series (sum over non-stock-out rows per period)."""
    masked = _masked(history, freq).dropna(subset=["units_sold"])
    total = masked.groupby("period", as_index=False)["units_sold"].sum()
    value = float(_scale_by_period(total, [], season).iloc[0])
    if not np.isfinite(value) and season > 1:
        value = float(_scale_by_period(total, [], 1).iloc[0])
    return value


def series_errors(
    scored: pd.DataFrame, scales: pd.DataFrame, forecast_col: str, upper_col: str | None = None
) -> pd.DataFrame:
    """Per-series accuracy of one forecast column: mae, scale, mase, wape, bias, coverage, n."""
    merged = scored.merge(scales, on=SERIES_KEYS, how="left")
    merged["abs_err"] = (merged[forecast_col] - merged["actual"]).abs()
    merged["err"] = merged[forecast_col] - merged["actual"]
    if upper_col:
        merged["covered"] = (merged["actual"] <= merged[upper_col]).astype(float)
    agg = {
        "mae": ("abs_err", "mean"),
        "scale": ("scale", "first"),
        "abs_err_sum": ("abs_err", "sum"),
        "err_sum": ("err", "sum"),
        "actual_sum": ("actual", "sum"),
        "n": ("abs_err", "size"),
    }
    if upper_col:
        agg["p90_coverage"] = ("covered", "mean")
    out = merged.groupby(SERIES_KEYS).agg(**agg).reset_index()
    ok = out["scale"] > 0
    out["mase"] = np.where(ok, out["mae"] / out["scale"].where(ok, 1.0), np.nan)
    pos = out["actual_sum"] > 0
    out["wape"] = np.where(pos, out["abs_err_sum"] / out["actual_sum"].where(pos, 1.0), np.nan)
    out["bias"] = np.where(pos, out["err_sum"] / out["actual_sum"].where(pos, 1.0), np.nan)
    if not upper_col:
        out["p90_coverage"] = np.nan
    return out


def score_frame(
    scored: pd.DataFrame,
    scales: pd.DataFrame,
    total_scale_value: float,
    forecast_col: str,
    upper_col: str | None = None,
) -> ForecastMetrics:
    """Score one forecast column of ``scored`` (sku, location_id, demand_date, actual, ...).

    ``scored`` must already exclude the rows that are not to be scored (stock-out days).
    """
    per_series = series_errors(scored, scales, forecast_col)
    valid = per_series[per_series["scale"] > 0]
    series_mase = float(valid["mase"].mean()) if len(valid) else float("nan")
    daily = scored.groupby("demand_date")[["actual", forecast_col]].sum()
    mase_total = mase(daily["actual"].to_numpy(), daily[forecast_col].to_numpy(), total_scale_value)
    a, f = scored["actual"].to_numpy(), scored[forecast_col].to_numpy()
    return ForecastMetrics(
        mase=series_mase,
        mase_total=mase_total,
        wape=wape(a, f),
        bias=bias(a, f),
        p90_coverage=coverage(a, scored[upper_col].to_numpy()) if upper_col else None,
        n_series=len(valid),
        n_rows=len(scored),
    )


def mean_series_mase(rows: pd.DataFrame, forecast: pd.Series) -> float:
    """Mean over series of each series' mean absolute error over its ``scale`` (``rows``: sku,
    location_id, actual and a positive ``scale`` per row, as at its backtest origin)."""
    if rows.empty:
        return float("nan")
    scaled = (forecast - rows["actual"]).abs() / rows["scale"]
    return float(scaled.groupby([rows["sku"], rows["location_id"]]).mean().mean())


def pooled_metrics(
    rows: pd.DataFrame,
    forecast_col: str,
    total_scales: Mapping[pd.Timestamp, float],
    upper_col: str | None = None,
) -> ForecastMetrics:
    """Accuracy of one forecast column pooled over the backtest origins in ``rows``.

    ``rows``: the scored rows (no stock-outs, an actual) with origin, sku, location_id,
    demand_date, actual, ``scale`` (the series' MASE scale at the row's origin) and the forecast
    column. Per series the mean scaled absolute error over all its rows, then the mean over series
    with a positive scale; ``mase_total`` the mean over origins of the network-total MASE at each
    origin's ``total_scales``; WAPE, bias and coverage over all rows. ``Backtest.metrics`` scores
    its own methods the same way (a test holds the two equal).
    """
    valid = rows[rows["scale"] > 0]
    n_series = valid[SERIES_KEYS].drop_duplicates().shape[0]
    totals = []
    for origin, part in rows.groupby("origin", sort=True):
        daily = part.groupby("demand_date")[["actual", forecast_col]].sum()
        scale = total_scales.get(origin, np.nan)
        totals.append(mase(daily["actual"].to_numpy(), daily[forecast_col].to_numpy(), scale))
    a, f = rows["actual"].to_numpy(), rows[forecast_col].to_numpy()
    finite = [t for t in totals if np.isfinite(t)]  # none without total scales (a sample)
    return ForecastMetrics(
        mase=mean_series_mase(valid, valid[forecast_col]),
        mase_total=float(np.mean(finite)) if finite else float("nan"),
        wape=wape(a, f),
        bias=bias(a, f),
        p90_coverage=coverage(a, rows[upper_col].to_numpy()) if upper_col else None,
        n_series=n_series,
        n_rows=len(rows),
    )
