"""Lead times and intermittent demand, measured from the mesh's own records.

* Lead time: the spread of order-to-available days per supplier x DC, from received purchase
  orders (receipt minus order date, plus the DC's handling days before stock is sellable).
  ``lead_time_samples`` keeps the observed values (the simulation draws from them) and
  ``lead_time_stats`` their mean and standard deviation (the policy's sigma_L).
* For intermittent series ``empirical_protection_quantile`` bootstraps demand over the protection
  period straight from history, with the lead time drawn from its observed values, because a
  normal curve around a mean of a few units says little about the 95th percentile.

The forecast error over the protection period is measured in ``demand_risk``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS

PAIR_KEYS = ["supplier_id", "location_id"]


def lead_time_samples(receipts: pd.DataFrame, handling_days: pd.DataFrame) -> pd.DataFrame:
    """Observed order-to-available days, one row per purchase order and DC (with its order and
    receipt dates, so a simulation can keep what was known on a given day).

    ``receipts``: po_id, supplier_id, location_id, order_date, receipt_date (the
    ``procurement.purchase_receipts`` product); ``handling_days``: location_id, handling_days.
    """
    po = receipts.dropna(subset=["receipt_date"]).copy()
    po["lead_days"] = (
        pd.to_datetime(po["receipt_date"]) - pd.to_datetime(po["order_date"])
    ).dt.days
    po = po.groupby(["po_id", *PAIR_KEYS], as_index=False).agg(
        order_date=("order_date", "min"),
        receipt_date=("receipt_date", "max"),
        lead_days=("lead_days", "max"),
    )
    handling = handling_days[["location_id", "handling_days"]].drop_duplicates("location_id")
    po = po.merge(handling.astype({"location_id": str}), on="location_id", how="left")
    po["lead_days"] = po["lead_days"] + po["handling_days"].fillna(0)
    po = po.astype({"supplier_id": str, "location_id": str})
    return po[[*PAIR_KEYS, "order_date", "receipt_date", "lead_days"]]


def lead_time_stats(samples: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and count of order-to-available days per supplier x DC."""
    return (
        samples.groupby(PAIR_KEYS)["lead_days"]
        .agg(lead_time_mean_days="mean", lead_time_std_days="std", n_receipts="size")
        .reset_index()
    )


def empirical_protection_quantile(
    history: pd.DataFrame,
    series: pd.DataFrame,
    samples: pd.DataFrame,
    review_period_days: int,
    n_draws: int = 400,
    lookback_days: int = 364,
    seed: int = 0,
) -> pd.Series:
    """Quantile of demand over a protection period, bootstrapped from each series' history.

    ``series``: sku, location_id, supplier_id, service_level (the quantile wanted), in the order
    of the result. Each draw picks a protection period (an observed lead time of the series'
    supplier x DC plus the review period) and a random start day in the last ``lookback_days``,
    and sums the recorded demand over those days. Returns a float per ``series`` row.
    """
    rng = np.random.default_rng(seed)
    hist = history[[*SERIES_KEYS, "demand_date", "units_sold"]].copy()
    hist["demand_date"] = pd.to_datetime(hist["demand_date"])
    last = hist["demand_date"].max()
    hist = hist[hist["demand_date"] > last - pd.Timedelta(days=lookback_days)]
    by_series = {
        key: g.sort_values("demand_date")["units_sold"].fillna(0.0).to_numpy(float)
        for key, g in hist.groupby(SERIES_KEYS)
    }
    leads = {k: g["lead_days"].to_numpy(float) for k, g in samples.groupby(PAIR_KEYS)}
    out = np.zeros(len(series))
    for i, row in enumerate(series.itertuples(index=False)):
        y = by_series.get((row.sku, row.location_id))
        if y is None or y.size == 0:
            continue
        lead = leads.get((row.supplier_id, row.location_id))
        if lead is None or lead.size == 0:
            lead = np.array([14.0])
        days = np.rint(rng.choice(lead, n_draws) + review_period_days).astype(int).clip(1)
        csum = np.concatenate([[0.0], np.cumsum(y)])
        # windows longer than the history wrap around it, scaled by whole repetitions
        reps, rest = np.divmod(days, y.size)
        starts = rng.integers(0, y.size - rest + 1)
        totals = reps * csum[-1] + csum[starts + rest] - csum[starts]
        out[i] = float(np.quantile(totals, float(row.service_level)))
    return pd.Series(out, index=series.index)


MIN_LEAD_POINTS = 200  # fewer standardized receipts than this and the lead-time part uses normal z
MIN_PAIR_RECEIPTS = 3  # a pair standardizes its receipts by its own mean and spread from this many


def lead_time_z(samples: pd.DataFrame, service_levels: np.ndarray) -> np.ndarray:
    """The multiple of ``d * sigma_L`` the buffer's lead-time part takes at each service level:
    the empirical quantile of receipts' lead times standardized by their pair's mean and spread,
    pooled over pairs (NaN, the policy's normal z, when too few exist).

    Lead times are skewed to the late side (a supplier is seldom days early, now and then a week
    late): on the generated worlds the standardized receipts' skewness is 0.35-0.95 and their 98th
    percentile 2.2-2.4 spreads against the normal 2.05, so a normal z leaves the steady (X)
    items, whose buffer is mostly lead-time risk, a point or two short of their target. As
    ``demand_risk.calibrated_z`` does for the forecast error, the policy takes the tail the
    receipts actually show. ``samples``: supplier_id, location_id, lead_days.
    """
    levels = np.asarray(service_levels, dtype=float)
    lead = samples[[*PAIR_KEYS, "lead_days"]].dropna()
    pair = lead.groupby(PAIR_KEYS)["lead_days"]
    mean, std, count = pair.transform("mean"), pair.transform("std"), pair.transform("size")
    ok = (count >= MIN_PAIR_RECEIPTS) & (std > 0)
    z = ((lead["lead_days"] - mean) / std)[ok].to_numpy(float)
    if z.size < MIN_LEAD_POINTS:
        return np.full(levels.shape, np.nan)
    return np.quantile(z, levels)
