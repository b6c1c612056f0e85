"""Replenishment policy: periodic-review order-up-to levels and the orders due at this review.

Each SKU x DC is reviewed every ``R`` days; an order placed now arrives after the supplier lead
time ``L``, so stock must protect ``L + R`` days of demand. With daily demand d (mean P50 over the
protection period), daily forecast-error sigma sigma_d, and lead-time mean L and sigma sigma_L:

    safety_stock  = z * sqrt((L + R) * sigma_d^2 + d^2 * sigma_L^2)
    reorder_point = d * L + safety_stock
    order_up_to   = d * (L + R) + safety_stock

and the order brings the inventory position (on hand + on order) back up to ``order_up_to``,
rounded up to whole cases and raised to the supplier's minimum order quantity. Lead times come
from the supplier -> DC statistics; when a pair has none (no receipts yet, or a single receipt and
so no spread) the supplier's receipt-weighted figures across its DCs are used, and failing that
the documented defaults below.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from supplymesh.planning._frames import (
    SERIES_KEYS,
    DateLike,
    as_timestamp,
    require_columns,
)

DEFAULT_LEAD_TIME_DAYS = 14.0
DEFAULT_LEAD_TIME_CV = 0.25  # sigma_L = 25 % of L when no lead-time spread was ever observed

INVENTORY_PLAN_COLUMNS = [
    "sku",
    "location_id",
    "supplier_id",
    "plan_date",
    "service_level_target",
    "mean_daily_demand",
    "demand_std_daily",
    "lead_time_mean_days",
    "lead_time_std_days",
    "review_period_days",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "on_hand",
    "on_order",
    "inventory_position",
    "order_quantity",
    "order_due",
    "need_by_date",
    "unit_cost",
    "order_value",
]


def z_value(service_level: float) -> float:
    """Standard-normal quantile for a cycle service level (0.95 -> 1.645)."""
    if not 0.0 < service_level < 1.0:
        raise ValueError(f"service level must be in (0, 1), got {service_level}")
    return NormalDist().inv_cdf(service_level)


def safety_stock(
    z: float,
    mean_daily_demand: float | np.ndarray,
    demand_std_daily: float | np.ndarray,
    lead_time_days: float | np.ndarray,
    lead_time_std_days: float | np.ndarray,
    review_period_days: float | np.ndarray,
) -> float | np.ndarray:
    """``z * sqrt((L + R) * sigma_d^2 + d^2 * sigma_L^2)``: demand and lead-time risk combined."""
    protection = np.asarray(lead_time_days, dtype=float) + np.asarray(
        review_period_days, dtype=float
    )
    d = np.asarray(mean_daily_demand, dtype=float)
    variance = protection * np.square(demand_std_daily) + np.square(d) * np.square(
        lead_time_std_days
    )
    out = z * np.sqrt(np.maximum(variance, 0.0))
    return float(out) if np.ndim(out) == 0 else out


def round_to_case_pack(
    quantity: float | np.ndarray,
    case_pack: int | np.ndarray,
    min_order_qty: int | np.ndarray = 0,
) -> int | np.ndarray:
    """Round a positive need up to whole cases, then up to the MOQ (itself in whole cases).

    A need of zero or less orders nothing. Missing or non-positive case packs count as 1, a
    missing MOQ as 0. The result is always a multiple of the case pack, so an MOQ that is not a
    multiple is met by the next whole case above it.
    """
    q = np.asarray(quantity, dtype=float)
    cp = np.asarray(case_pack, dtype=float)
    cp = np.where(np.isfinite(cp) & (cp > 0), cp, 1.0)
    moq = np.nan_to_num(np.asarray(min_order_qty, dtype=float), nan=0.0)
    cases = np.ceil(np.maximum(q, 0.0) / cp - 1e-9)
    moq_cases = np.ceil(np.maximum(moq, 0.0) / cp - 1e-9)
    cases = np.where(cases > 0, np.maximum(cases, moq_cases), 0.0)
    out = (cases * cp).astype(np.int64)
    return int(out) if np.ndim(out) == 0 else out


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
    out = series.copy()
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


def protection_demand(forecast: pd.DataFrame, protection_days: pd.DataFrame) -> pd.DataFrame:
    """Mean daily P50 over each series' first ``ceil(L + R)`` forecast days (all days when the
    protection period outruns the horizon). ``protection_days``: sku, location_id, days."""
    fc = forecast[[*SERIES_KEYS, "horizon_day", "p50"]].merge(protection_days, on=SERIES_KEYS)
    within = fc[fc["horizon_day"] <= np.ceil(fc["days"])]
    means = within.groupby(SERIES_KEYS)["p50"].mean()
    fallback = fc.groupby(SERIES_KEYS)["p50"].mean()
    return means.reindex(fallback.index).fillna(fallback).rename("mean_daily_demand").reset_index()


def policy_levels(
    z: float,
    mean_daily_demand: pd.Series,
    demand_std_daily: pd.Series,
    lead_time_days: pd.Series,
    lead_time_std_days: pd.Series,
    review_period_days: float,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Safety stock, reorder point and order-up-to level (see the module docstring)."""
    d, lead = mean_daily_demand, lead_time_days
    ss = pd.Series(
        safety_stock(z, d, demand_std_daily, lead, lead_time_std_days, review_period_days),
        index=d.index,
    )
    return ss, d * lead + ss, d * (lead + review_period_days) + ss


def _policy_inputs(
    forecast: pd.DataFrame,
    error_std: pd.DataFrame,
    positions: pd.DataFrame,
    lead_times: pd.DataFrame,
    review_period_days: float,
) -> pd.DataFrame:
    """Positions joined with lead times, protection-period demand and the error sigma."""
    pos = positions.astype({"sku": str, "location_id": str, "supplier_id": str})
    keys = forecast[SERIES_KEYS].drop_duplicates().astype(str)
    frame = pos.merge(keys, on=SERIES_KEYS, how="inner")
    frame = resolve_lead_times(frame, lead_times.astype({"supplier_id": str, "location_id": str}))
    days = frame[SERIES_KEYS].assign(days=frame["lead_time_mean_days"] + review_period_days)
    fc = forecast.astype({"sku": str, "location_id": str})
    frame = frame.merge(protection_demand(fc, days), on=SERIES_KEYS, how="left")
    sigma = error_std.astype({"sku": str, "location_id": str})[[*SERIES_KEYS, "demand_std_daily"]]
    frame = frame.merge(sigma, on=SERIES_KEYS, how="left")
    frame["mean_daily_demand"] = frame["mean_daily_demand"].fillna(0.0).clip(lower=0.0)
    poisson_sigma = np.sqrt(frame["mean_daily_demand"])
    frame["demand_std_daily"] = frame["demand_std_daily"].fillna(poisson_sigma).clip(lower=0.0)
    frame["on_hand"] = frame["on_hand"].fillna(0).astype("int64")
    frame["on_order"] = frame["on_order"].fillna(0).astype("int64")
    position = frame["on_hand"] + frame["on_order"]
    if "inventory_position" in frame.columns:
        position = frame["inventory_position"].fillna(position)
    frame["inventory_position"] = position.astype(float)
    return frame


def plan_inventory(
    forecast: pd.DataFrame,
    error_std: pd.DataFrame | None,
    positions: pd.DataFrame,
    lead_times: pd.DataFrame,
    plan_date: DateLike,
    service_level: float = 0.95,
    review_period_days: int = 7,
) -> pd.DataFrame:
    """The inventory plan: one row per SKU x DC present in both ``positions`` and ``forecast``.

    ``forecast`` is ``forecast.forecast_demand``'s output, ``error_std`` is
    ``forecast.forecast_error_std``'s; pass ``None`` to read the sigma from the published
    forecast's ``error_std_daily`` column instead. A series with no sigma gets the Poisson sigma
    sqrt(d). The review triggers an order when the inventory position is at or below
    ``reorder_point + d * R`` (which is the order-up-to level, so any shortfall of at least one
    unit orders); an order not due has quantity 0. Returns ``INVENTORY_PLAN_COLUMNS``.
    """
    require_columns(forecast, [*SERIES_KEYS, "horizon_day", "p50"], "forecast")
    if error_std is None:
        require_columns(forecast, ["error_std_daily"], "forecast")
        error_std = (
            forecast.groupby(SERIES_KEYS, as_index=False)["error_std_daily"]
            .first()
            .rename(columns={"error_std_daily": "demand_std_daily"})
        )
    require_columns(error_std, [*SERIES_KEYS, "demand_std_daily"], "error_std")
    position_cols = ["supplier_id", "on_hand", "on_order", "unit_cost", "case_pack"]
    require_columns(positions, [*SERIES_KEYS, *position_cols, "min_order_qty"], "positions")
    lead_cols = ["supplier_id", "location_id", "lead_time_mean_days", "lead_time_std_days"]
    require_columns(lead_times, lead_cols, "lead_times")
    day = as_timestamp(plan_date)
    review = float(review_period_days)
    plan = _policy_inputs(forecast, error_std, positions, lead_times, review)
    d = plan["mean_daily_demand"]
    ss, reorder_point, order_up_to = policy_levels(
        z_value(service_level),
        d,
        plan["demand_std_daily"],
        plan["lead_time_mean_days"],
        plan["lead_time_std_days"],
        review,
    )
    position = plan["inventory_position"]
    qty = round_to_case_pack(order_up_to - position, plan["case_pack"], plan["min_order_qty"])
    due = (qty > 0) & (position <= reorder_point + d * review).to_numpy()
    qty = np.where(due, qty, 0).astype("int64")
    plan = plan.assign(
        plan_date=day.date(),
        service_level_target=float(service_level),
        review_period_days=int(review_period_days),
        safety_stock=ss.astype(float),
        reorder_point=reorder_point.astype(float),
        order_up_to=order_up_to.astype(float),
        order_quantity=qty,
        order_due=np.asarray(due, dtype=bool),
        need_by_date=[
            (day + pd.Timedelta(days=math.ceil(v))).date() for v in plan["lead_time_mean_days"]
        ],
        unit_cost=plan["unit_cost"].astype(float),
    )
    plan["order_value"] = plan["order_quantity"] * plan["unit_cost"]
    plan["plan_date"] = plan["plan_date"].astype("object")
    plan["review_period_days"] = plan["review_period_days"].astype("int64")
    float_cols = [
        "mean_daily_demand",
        "demand_std_daily",
        "lead_time_mean_days",
        "lead_time_std_days",
    ]
    plan[float_cols] = plan[float_cols].astype(float)
    plan = plan.sort_values(SERIES_KEYS, kind="stable").reset_index(drop=True)
    return plan[INVENTORY_PLAN_COLUMNS]
