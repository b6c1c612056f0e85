"""A product's served rows with the replanned pairs' rows swapped in.

The rows of every pair out of scope are the served snapshot's own, untouched; the replanned
rows take their place, in the served frame's column types, so the spliced frame publishes
through the product's contract exactly as a full run's would. ``splice_forecast`` does the same
for the forecast and re-measures the replanned series' error sigma against the whole network:
a series with few scored backtest days borrows the median error ratio of every well-measured
series, so measuring it among the replanned series alone would give another sigma than a full
run gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from supplymesh.planning.forecasting.forecast import attach_error_std, error_std_from_predictions
from supplymesh.planning.frames import SERIES_KEYS


def _is_dates(column: pd.Series) -> bool:
    values = column.dropna()
    return len(values) > 0 and all(type(v) is dt.date for v in values)


def conform(fresh: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """``fresh`` with ``like``'s columns, dates in ``like``'s representation (``datetime.date``
    objects or ``datetime64``), so the two concatenate into columns of one type."""
    out = fresh[list(like.columns)].copy()
    for col in like.columns:
        want = like[col].dtype
        if out[col].dtype == want and not _is_dates(like[col]):
            continue
        if pd.api.types.is_datetime64_any_dtype(want):
            out[col] = pd.to_datetime(out[col]).astype(want)
        elif _is_dates(like[col]):
            out[col] = pd.Series(
                [None if pd.isna(v) else pd.Timestamp(v).date() for v in out[col]],
                index=out.index,
                dtype="object",
            )
    return out


def splice(
    served: pd.DataFrame,
    fresh: pd.DataFrame,
    keys: Sequence[str],
    scope: pd.DataFrame,
    sort_by: Sequence[str] = (),
) -> pd.DataFrame:
    """``served`` without the rows whose ``keys`` are in ``scope``, plus ``fresh`` (the scope's
    recomputed rows), sorted stably by ``sort_by`` when given."""
    keys = list(keys)
    wanted = scope[keys].astype(str).drop_duplicates().assign(_in_scope=True)
    marked = served.astype({k: str for k in keys}).merge(wanted, on=keys, how="left")
    kept = served[marked["_in_scope"].isna().to_numpy()]
    parts = [kept, conform(fresh, served)] if len(fresh) else [kept]
    out = pd.concat(parts, ignore_index=True) if len(kept) or len(fresh) else served.iloc[:0]
    if sort_by:
        out = out.sort_values(list(sort_by), kind="stable")
    return out.reset_index(drop=True)


def splice_forecast(
    served: pd.DataFrame, fresh: pd.DataFrame, backtest: pd.DataFrame, scope: pd.DataFrame
) -> pd.DataFrame:
    """The served forecast with ``fresh`` (the replanned series, from ``serve_forecast``) in
    place of its ``scope`` series' rows, their ``error_std_daily`` measured against every
    series' forecast (``error_std_from_predictions``'s fallback pools the whole network)."""
    if fresh.empty:
        return splice(served, fresh, SERIES_KEYS, scope)
    others = splice(served, fresh.iloc[:0], SERIES_KEYS, scope)
    network = pd.concat(
        [others[[*SERIES_KEYS, "p50"]], fresh[[*SERIES_KEYS, "p50"]]], ignore_index=True
    )
    sigma = error_std_from_predictions(backtest, network)
    measured = attach_error_std(fresh.drop(columns="error_std_daily"), sigma)
    order = [*SERIES_KEYS, "horizon_day"]
    return splice(served, measured, SERIES_KEYS, scope, sort_by=order)
