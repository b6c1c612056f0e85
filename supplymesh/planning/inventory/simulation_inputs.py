"""The held-out replay's inputs: what the policy knew at every review, aligned for the replay.

``prepare_simulation`` lines up the backtest windows, the demand history, the items and the
received purchase orders on one series order and one day axis, and precomputes the policy's
reorder point and order-up-to level at every review from what was known then: the latest
origin's forecast, forecast errors measured for a forecast of the same age on earlier windows
(and days), lead-time statistics of receipts before the first measured origin, empirical
quantiles of history up to the origin, and classes from history before the measured period.
Lead times of the replay itself are drawn from purchase orders placed in the held-out period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.inventory.classification import ServiceTargets, classify_series
from supplymesh.planning.inventory.demand_risk import demand_risk, error_panel
from supplymesh.planning.inventory.lead_times import DEFAULT_LEAD_TIME_CV, DEFAULT_LEAD_TIME_DAYS
from supplymesh.planning.inventory.policy import protection_days, replenishment_levels
from supplymesh.planning.inventory.protection_quantiles import (
    PAIR_KEYS,
    empirical_protection_quantile,
    lead_time_stats,
    lead_time_z,
)
from supplymesh.planning.inventory.simulation import SimulationConfig, SimulationData

MIN_HELD_OUT_LEADS = 5  # fewer held-out receipts on a pair than this and all of them are used


def _series_table(
    predictions: pd.DataFrame, items: pd.DataFrame, classes: pd.DataFrame, targets: ServiceTargets
) -> pd.DataFrame:
    keys = predictions[SERIES_KEYS].drop_duplicates()
    cols = [*SERIES_KEYS, "supplier_id", "unit_cost", "case_pack", "min_order_qty"]
    series = keys.merge(items[cols].astype({"sku": str, "location_id": str}), on=SERIES_KEYS)
    series = series.merge(classes, on=SERIES_KEYS, how="left")
    series["service_class"] = series["service_class"].fillna("CZ")
    series["service_level_target"] = targets.of(series["service_class"])
    series["intermittent"] = series["intermittent"].fillna(False).astype(bool)
    series["unit_cost"] = series["unit_cost"].fillna(0.0)
    series["case_pack"] = series["case_pack"].fillna(1).clip(lower=1)
    series["min_order_qty"] = series["min_order_qty"].fillna(0)
    return series.sort_values(SERIES_KEYS, kind="stable").reset_index(drop=True)


def _lead_draws(
    series: pd.DataFrame, samples: pd.DataFrame, held_out_from: pd.Timestamp
) -> list[np.ndarray]:
    """Lead times the replay draws from, per series: its pair's purchase orders placed in the
    held-out period whose lead time is fully observed. An order placed less than the pair's
    longest lead time before the last receipt on record may still be in transit; keeping only
    the ones already received biases the draws short (medium world: pair spread 3.27 days and
    mean 15.60 with them, 3.33 and 15.69 without; the replay over-served every class by
    0.2-1.6 points with them, 0.2-1.2 without)."""
    order_date = pd.to_datetime(samples["order_date"])
    longest = samples.groupby(PAIR_KEYS)["lead_days"].transform("max")
    observed_until = pd.to_datetime(samples["receipt_date"]).max()
    complete = order_date + pd.to_timedelta(longest, unit="D") <= observed_until
    held = samples[(order_date > held_out_from) & complete]
    by_pair_held = {k: g["lead_days"].to_numpy(float) for k, g in held.groupby(PAIR_KEYS)}
    by_pair_all = {k: g["lead_days"].to_numpy(float) for k, g in samples.groupby(PAIR_KEYS)}
    out = []
    for row in series.itertuples(index=False):
        key = (row.supplier_id, row.location_id)
        draws = by_pair_held.get(key, np.array([]))
        if draws.size < MIN_HELD_OUT_LEADS:
            draws = by_pair_all.get(key, np.array([DEFAULT_LEAD_TIME_DAYS]))
        out.append(np.rint(draws).astype(int))
    return out


def prepare_simulation(
    predictions: pd.DataFrame,
    history: pd.DataFrame,
    items: pd.DataFrame,
    lead_samples: pd.DataFrame,
    config: SimulationConfig,
) -> SimulationData:
    """Align the backtest windows, history, items and lead times, and precompute the policy's
    levels at every review from the information available at that review.

    ``predictions``: the backtest's origin, sku, location_id, demand_date, step, actual, p50;
    ``history``: sku, location_id, demand_date, units_sold (all history); ``items``: sku,
    location_id, supplier_id, unit_cost, case_pack, min_order_qty; ``lead_samples``:
    supplier_id, location_id, order_date, receipt_date, lead_days (handling included).
    """
    pred = predictions.copy()
    pred["demand_date"] = pd.to_datetime(pred["demand_date"])
    pred["origin"] = pd.to_datetime(pred["origin"])
    origins = sorted(pred["origin"].unique())
    if len(origins) <= config.warmup_windows:
        raise ValueError(
            f"the simulation needs more than {config.warmup_windows} backtest origins "
            f"(warm-up windows), got {len(origins)}"
        )
    hist = history[[*SERIES_KEYS, "demand_date", "units_sold"]].copy()
    hist["demand_date"] = pd.to_datetime(hist["demand_date"])
    measured_origin = pd.Timestamp(origins[config.warmup_windows])
    before = hist[hist["demand_date"] <= measured_origin]
    costs = items[["sku", "unit_cost"]].drop_duplicates("sku").astype({"sku": str})
    classes = classify_series(before, costs)
    series = _series_table(pred, items, classes, config.targets)
    keys = pd.MultiIndex.from_frame(series[SERIES_KEYS])
    days = pd.date_range(pd.Timestamp(origins[0]) + pd.Timedelta(days=1), pred["demand_date"].max())
    actual = pred.pivot_table(index=SERIES_KEYS, columns="demand_date", values="actual")
    demand = actual.reindex(index=keys, columns=days).fillna(0.0).to_numpy(float)
    r = config.review_period_days
    n_reviews = (len(days) - 1) // r + 1
    # review j happens at the end of day index j * R - 1; review 0 (index -1) is the first
    # origin itself, which sets the starting stock
    review_days = np.arange(n_reviews) * r - 1
    review_dates = [
        pd.Timestamp(origins[0]) + pd.Timedelta(days=int(j * r)) for j in range(n_reviews)
    ]
    stats_samples = lead_samples[pd.to_datetime(lead_samples["receipt_date"]) <= measured_origin]
    known_samples = stats_samples if len(stats_samples) else lead_samples
    levels, inputs = _policy_levels_per_review(
        pred, hist, series, known_samples, lead_samples, review_dates, config, keys
    )
    trailing = _trailing_sales(hist, keys, review_dates, config.trailing_days)
    return SimulationData(
        series=series,
        days=days,
        demand=demand,
        review_days=review_days,
        measure_from=int((measured_origin - days[0]).days) + 1 + r,
        lead_draws=_lead_draws(series, lead_samples, pd.Timestamp(origins[0])),
        trailing_sales=trailing,
        policy_levels=levels,
        policy_inputs=inputs,
    )


def _trailing_sales(
    hist: pd.DataFrame, keys: pd.MultiIndex, review_dates: list[pd.Timestamp], window: int
) -> np.ndarray:
    wide = hist.pivot_table(index=SERIES_KEYS, columns="demand_date", values="units_sold")
    wide = wide.reindex(index=keys).fillna(0.0)
    cols = wide.columns
    out = np.zeros((len(keys), len(review_dates)))
    for j, date in enumerate(review_dates):
        sel = (cols <= date) & (cols > date - pd.Timedelta(days=window))
        out[:, j] = wide.loc[:, sel].to_numpy(float).mean(axis=1) if sel.any() else 0.0
    return out


def _policy_levels_per_review(
    pred: pd.DataFrame,
    hist: pd.DataFrame,
    series: pd.DataFrame,
    known_samples: pd.DataFrame,
    lead_samples: pd.DataFrame,
    review_dates: list[pd.Timestamp],
    config: SimulationConfig,
    keys: pd.MultiIndex,
) -> tuple[tuple[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
    """Reorder point and order-up-to per series and review, from data known at each review:
    the latest origin's forecast, its errors measured for a forecast of the same age on the
    windows (and days) before the review, empirical quantiles of history up to the origin, and
    lead-time statistics and quantiles of ``known_samples`` (receipts before the measured
    period)."""
    r = float(config.review_period_days)
    frame = series.merge(lead_time_stats(known_samples), on=PAIR_KEYS, how="left")
    frame["lead_z"] = lead_time_z(known_samples, series["service_level_target"].to_numpy(float))
    frame["lead_time_mean_days"] = frame["lead_time_mean_days"].fillna(DEFAULT_LEAD_TIME_DAYS)
    frame["lead_time_std_days"] = frame["lead_time_std_days"].fillna(
        DEFAULT_LEAD_TIME_CV * DEFAULT_LEAD_TIME_DAYS
    )
    days = protection_days(frame["lead_time_mean_days"], r)
    panel = error_panel(pred, series[SERIES_KEYS])
    origins = panel.origins
    p50 = pred.pivot_table(index=SERIES_KEYS, columns="demand_date", values="p50")
    p50 = p50.reindex(index=keys).fillna(0.0)
    reorder = np.zeros((len(series), len(review_dates)))
    up_to = np.zeros_like(reorder)
    inputs = {k: np.zeros_like(reorder) for k in ("rate", "sigma", "protection_days", "z")}
    quantiles: dict[pd.Timestamp, np.ndarray] = {}
    classes = series["service_class"].to_numpy()
    targets = series["service_level_target"].to_numpy(float)
    for j, date in enumerate(review_dates):
        origin = max(o for o in origins if o <= date)
        window_end = origin + pd.Timedelta(days=panel.horizon)
        frame["mean_daily_demand"] = _forecast_rate(p50, date, window_end, pd.Series(days))
        offset = int((date - origin).days)
        risk = demand_risk(panel, days, classes, targets, offset=offset, starts=int(r), cutoff=date)
        if not np.any(risk.sigma_protection > 0):  # nothing measured yet: Poisson, normal z
            risk.sigma_protection = np.sqrt(frame["mean_daily_demand"].clip(lower=0.0) * days)
        if origin not in quantiles:
            quantiles[origin] = _empirical_at(hist, series, lead_samples, origin, config)
        frame["sigma_protection"] = risk.sigma_protection
        frame["demand_z"] = risk.demand_z
        frame["empirical_quantile"] = quantiles[origin]
        levels = replenishment_levels(frame, r)
        reorder[:, j] = levels["reorder_point"].to_numpy()
        up_to[:, j] = levels["order_up_to"].to_numpy()
        inputs["rate"][:, j] = frame["mean_daily_demand"].to_numpy()
        inputs["sigma"][:, j] = risk.sigma_protection
        inputs["z"][:, j] = risk.demand_z
        inputs["protection_days"][:, j] = levels["protection_days"].to_numpy()
    return (reorder, up_to), inputs


def _forecast_rate(
    p50: pd.DataFrame, date: pd.Timestamp, window_end: pd.Timestamp, days: pd.Series
) -> np.ndarray:
    """Mean P50 per series over (date, date + days], within the latest origin's window."""
    cols = p50.columns
    values = p50.to_numpy(float)
    after = (cols > date) & (cols <= window_end)
    if not after.any():
        return values[:, cols <= window_end][:, -7:].mean(axis=1)
    idx = np.flatnonzero(after)
    csum = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values[:, idx], axis=1)], axis=1)
    n = np.clip(np.ceil(days.to_numpy(float)).astype(int), 1, idx.size)
    return csum[np.arange(len(values)), n] / n


def _empirical_at(
    hist: pd.DataFrame,
    series: pd.DataFrame,
    lead_samples: pd.DataFrame,
    origin: pd.Timestamp,
    config: SimulationConfig,
) -> np.ndarray:
    """Empirical protection-period quantiles of the intermittent series, from history and
    receipts up to ``origin`` (NaN for the other series)."""
    intermittent = series["intermittent"].to_numpy(bool)
    quantile = np.full(len(series), np.nan)
    if intermittent.any():
        known = lead_samples[pd.to_datetime(lead_samples["receipt_date"]) <= origin]
        quantile[intermittent] = empirical_protection_quantile(
            hist[hist["demand_date"] <= origin],
            series.loc[intermittent, [*SERIES_KEYS, "supplier_id"]].assign(
                service_level=series.loc[intermittent, "service_level_target"].to_numpy()
            ),
            known if len(known) else lead_samples,
            config.review_period_days,
        ).to_numpy()
    return quantile
