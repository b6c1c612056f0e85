"""Forecast accuracy over time: every forecast scored once its actuals have arrived.

Two sources feed one table (``planning.forecast_accuracy``):

* ``live``: every published ``planning.demand_forecast`` snapshot still on record, joined with
  the actual demand the features mart holds today. A forecast made on day ``o`` is scored on its
  days up to today's as-of date; a later run, with more actuals, scores it again and replaces
  the row. Rows of forecasts whose snapshots have since been pruned are kept from the previous
  table, so the history only grows.
* ``backtest``: the serving champion's rolling-origin windows, the accuracy the recipe would have
  had at each past origin (so the table has a history from the very first run).

Stock-out days are not scored (censored sales are not demand). WAPE and bias are totals over the
scored days; P90 coverage is for the model only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS, to_datetime_col

ACCURACY_COLUMNS = [
    "source",
    "forecast_origin",
    "model_version",
    "method",
    "first_day",
    "last_day",
    "days_scored",
    "n_rows",
    "actual_units",
    "forecast_units",
    "wape",
    "bias",
    "p90_coverage",
    "evaluated_at",
]
KEY = ["source", "forecast_origin", "model_version", "method"]


def _score(frame: pd.DataFrame, forecast_col: str, with_p90: bool) -> dict[str, object]:
    actual = frame["actual"].to_numpy(float)
    fc = frame[forecast_col].to_numpy(float)
    total = actual.sum()
    return {
        "first_day": frame["demand_date"].min().date(),
        "last_day": frame["demand_date"].max().date(),
        "days_scored": int(frame["demand_date"].nunique()),
        "n_rows": len(frame),
        "actual_units": float(total),
        "forecast_units": float(fc.sum()),
        "wape": float(np.abs(fc - actual).sum() / total) if total > 0 else np.nan,
        "bias": float((fc - actual).sum() / total) if total > 0 else np.nan,
        "p90_coverage": float(np.mean(actual <= frame["p90"].to_numpy(float)))
        if with_p90
        else np.nan,
    }


ACTUAL_COLUMNS = [*SERIES_KEYS, "demand_date", "units_sold", "is_stockout", "is_history"]


def actuals(features: pd.DataFrame) -> pd.DataFrame:
    """Scored actual demand from the features mart: history days without a stock-out."""
    hist = features[features["is_history"].fillna(False).astype(bool)]
    hist = hist[~hist["is_stockout"].fillna(False).astype(bool) & hist["units_sold"].notna()]
    out = hist[[*SERIES_KEYS, "demand_date", "units_sold"]].rename(columns={"units_sold": "actual"})
    out = out.astype({"sku": str, "location_id": str})
    out["demand_date"] = to_datetime_col(out["demand_date"])
    return out


def live_accuracy(forecasts: list[pd.DataFrame], actual: pd.DataFrame) -> list[dict]:
    """Rows for published forecasts (each a ``planning.demand_forecast`` snapshot)."""
    rows = []
    for fc in forecasts:
        if fc.empty:
            continue
        f = fc.rename(columns={"forecast_date": "demand_date"}).astype(
            {"sku": str, "location_id": str}
        )
        f["demand_date"] = to_datetime_col(f["demand_date"])
        joined = f.merge(actual, on=[*SERIES_KEYS, "demand_date"], how="inner")
        if joined.empty:
            continue
        origin = pd.Timestamp(f["forecast_origin"].iloc[0]).date()
        version = str(f["model_version"].iloc[0])
        for method, col in (("model", "p50"), ("seasonal_naive", "seasonal_naive")):
            rows.append(
                {
                    "source": "live",
                    "forecast_origin": origin,
                    "model_version": version,
                    "method": method,
                    **_score(joined, col, method == "model"),
                }
            )
    return rows


def backtest_accuracy(predictions: pd.DataFrame, model_version: str) -> list[dict]:
    """Rows for each origin of a model's backtest (model and both baselines)."""
    p = predictions[predictions["actual"].notna() & ~predictions["is_stockout"].astype(bool)]
    p = p.assign(demand_date=to_datetime_col(p["demand_date"]))
    rows = []
    for origin, part in p.groupby("origin"):
        for method, col in (
            ("model", "p50"),
            ("seasonal_naive", "seasonal_naive"),
            ("moving_average", "ma"),
        ):
            rows.append(
                {
                    "source": "backtest",
                    "forecast_origin": pd.Timestamp(origin).date(),
                    "model_version": model_version,
                    "method": method,
                    **_score(part, col, method == "model"),
                }
            )
    return rows


def accuracy_table(
    previous: pd.DataFrame | None,
    forecasts: list[pd.DataFrame],
    actual: pd.DataFrame,
    backtest: pd.DataFrame | None,
    model_version: str | None,
    evaluated_at: pd.Timestamp,
) -> pd.DataFrame:
    """The new table: today's scores replace earlier scores of the same forecast, older rows
    whose forecasts are no longer on record are kept."""
    rows = live_accuracy(forecasts, actual)
    if backtest is not None and model_version:
        rows += backtest_accuracy(backtest, model_version)
    fresh = pd.DataFrame(rows, columns=[c for c in ACCURACY_COLUMNS if c != "evaluated_at"])
    fresh["evaluated_at"] = evaluated_at
    parts = [fresh]
    if previous is not None and len(previous):
        parts.insert(0, previous[ACCURACY_COLUMNS])
    out = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else fresh
    )
    out = out.drop_duplicates(KEY, keep="last")
    return conform(out)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=ACCURACY_COLUMNS).copy()
    for col in ("forecast_origin", "first_day", "last_day"):
        out[col] = pd.Series(
            [None if pd.isna(v) else pd.Timestamp(v).date() for v in out[col]],
            index=out.index,
            dtype="object",
        )
    for col in ("days_scored", "n_rows"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("actual_units", "forecast_units", "wape", "bias", "p90_coverage"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["evaluated_at"] = pd.to_datetime(out["evaluated_at"]).astype("datetime64[ns]")
    for col in ("source", "model_version", "method"):
        out[col] = out[col].astype(str)
    return out.sort_values(["forecast_origin", "source", "method"], kind="stable").reset_index(
        drop=True
    )
