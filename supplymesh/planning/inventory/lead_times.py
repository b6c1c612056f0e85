"""Lead time per series for the policy: supplier -> DC statistics, with fallbacks.

When a pair has no receipts the supplier's receipt-weighted figures across its DCs are used,
and failing that the documented defaults (``DEFAULT_LEAD_TIME_DAYS``, spread
``DEFAULT_LEAD_TIME_CV`` of it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_LEAD_TIME_DAYS = 14.0
DEFAULT_LEAD_TIME_CV = 0.25  # sigma_L = 25 % of L when no lead-time spread was ever observed


def _weighted_mean(frame: pd.DataFrame, value: str, keys: list[str]) -> pd.Series:
    """Receipt-weighted mean of ``value`` per key, over rows where it is known."""
    known = frame[frame[value].notna()].copy()
    known["_w"] = known["n_receipts"].fillna(1.0).clip(lower=1.0)
    known["_wv"] = known[value] * known["_w"]
    sums = known.groupby(keys)[["_wv", "_w"]].sum()
    return sums["_wv"] / sums["_w"]


def resolve_lead_times(series: pd.DataFrame, lead_times: pd.DataFrame) -> pd.DataFrame:
    """Lead-time mean and std per row of ``series`` (supplier_id, location_id), with fallbacks.

    Order of preference for each statistic: the supplier -> DC pair, the supplier across DCs,
    then the default (``DEFAULT_LEAD_TIME_DAYS``; std ``DEFAULT_LEAD_TIME_CV * L``). Adds
    ``lead_time_mean_days``, ``lead_time_std_days`` and ``lead_time_source``.
    """
    lt = lead_times.copy()
    if "n_receipts" not in lt.columns:
        lt["n_receipts"] = 1.0
    lt.loc[~(lt["lead_time_mean_days"] > 0), "lead_time_mean_days"] = np.nan
    lt.loc[~(lt["lead_time_std_days"] >= 0), "lead_time_std_days"] = np.nan
    out = series.drop(
        columns=["lead_time_mean_days", "lead_time_std_days", "lead_time_source"], errors="ignore"
    ).copy()
    pair_keys, supplier_keys = ["supplier_id", "location_id"], ["supplier_id"]
    sources = pd.Series("default", index=out.index)
    for stat in ("lead_time_mean_days", "lead_time_std_days"):
        pair = _weighted_mean(lt, stat, pair_keys).rename("_pair").reset_index()
        supplier = _weighted_mean(lt, stat, supplier_keys).rename("_supplier").reset_index()
        merged = (
            out[pair_keys]
            .merge(pair, on=pair_keys, how="left")
            .merge(supplier, on=supplier_keys, how="left")
        )
        merged.index = out.index
        out[stat] = merged["_pair"].fillna(merged["_supplier"])
        if stat == "lead_time_mean_days":
            sources = np.where(
                merged["_pair"].notna(),
                "supplier_location",
                np.where(merged["_supplier"].notna(), "supplier", "default"),
            )
    out["lead_time_mean_days"] = out["lead_time_mean_days"].fillna(DEFAULT_LEAD_TIME_DAYS)
    out["lead_time_std_days"] = out["lead_time_std_days"].fillna(
        DEFAULT_LEAD_TIME_CV * out["lead_time_mean_days"]
    )
    out["lead_time_source"] = sources
    return out
