"""Replenishment policy: periodic-review (s, S) levels and the orders due at this review.

Each SKU x DC is reviewed every ``R`` days; an order placed now becomes sellable ``L`` days
later (supplier lead time plus the DC's handling), so it must cover ``P = L - 1 + R`` days of
demand (``protection_days``). With ``d`` the mean daily P50 over those days, ``sigma_P`` the
forecast error over them (measured on the champion's backtest, ``demand_risk``) and
``sigma_L`` the lead-time spread:

    order_up_to   S = d * P + sqrt((z_d * sigma_P)^2 + (z_L * d * sigma_L)^2)
    reorder_point s = d * P' + the same buffer over P'     (P' = L - 1 + R * share)

``z`` is the standard-normal quantile of the series' service target (its ABC/XYZ class) and
``z_d`` the calibrated multiple the backtest supplies for the demand part (``demand_z``: errors
as wide as held-out windows actually show), ``z_L`` the quantile of the receipts' own
standardized lead times (``lead_z``: skewed late), each ``z`` where none exists. ``share``
(``review_share``) is the part of a review period the reorder point must still cover: all of it
for an item that orders at every review, half of it for an item whose minimum order (MOQ in
whole cases) lasts several reviews, since its position crosses the reorder point somewhere
within a period. The safety stock reported is the buffer of the reorder point. For
intermittent series ``S`` is the empirical quantile of protection-period demand
(``inventory_risk.empirical_protection_quantile``), never below ``d * P``. An order brings the
position up to ``S``, rounded up to whole cases and raised to the MOQ; for an item that orders
at every review that rounding leaves the position half a case above ``S`` on average, so both
levels are lowered by half a case (``case_rounding.case_overshoot``) and the position hits the
target on average instead of over-serving.

Lead times come from supplier -> DC statistics, with fallbacks (``lead_times``).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from supplymesh.planning.frames import (
    SERIES_KEYS,
    DateLike,
    as_timestamp,
    require_columns,
)
from supplymesh.planning.inventory.case_rounding import case_overshoot, case_packs, review_share
from supplymesh.planning.inventory.lead_times import resolve_lead_times

INVENTORY_PLAN_COLUMNS = [
    "sku",
    "location_id",
    "supplier_id",
    "plan_date",
    "service_class",
    "service_level_target",
    "policy_method",
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
    "coordination",
]


def z_value(service_level: float | np.ndarray) -> float | np.ndarray:
    """Standard-normal quantile for a cycle service level (0.95 -> 1.645)."""
    levels = np.asarray(service_level, dtype=float)
    if np.any(~((levels > 0.0) & (levels < 1.0))):
        raise ValueError(f"service level must be in (0, 1), got {service_level}")
    if levels.ndim == 0:
        return NormalDist().inv_cdf(float(levels))
    return np.array([NormalDist().inv_cdf(float(v)) for v in levels.ravel()]).reshape(levels.shape)


def safety_stock(
    z: float | np.ndarray,
    mean_daily_demand: float | np.ndarray,
    demand_std_daily: float | np.ndarray,
    lead_time_days: float | np.ndarray,
    lead_time_std_days: float | np.ndarray,
    review_period_days: float | np.ndarray,
) -> float | np.ndarray:
    """``z * sqrt((L + R) * sigma_d^2 + d^2 * sigma_L^2)``: demand and lead-time risk combined,
    for daily errors that add up independently over the protection period."""
    protection = np.asarray(lead_time_days, dtype=float) + np.asarray(
        review_period_days, dtype=float
    )
    sigma_p = np.sqrt(protection) * np.asarray(demand_std_daily, dtype=float)
    out = buffer(z, sigma_p, mean_daily_demand, lead_time_std_days)
    return float(out) if np.ndim(out) == 0 else out


def buffer(
    z: float | np.ndarray,
    sigma_protection: float | np.ndarray,
    mean_daily_demand: float | np.ndarray,
    lead_time_std_days: float | np.ndarray,
) -> np.ndarray:
    """``z * sqrt(sigma_P^2 + d^2 * sigma_L^2)`` (never negative)."""
    d = np.asarray(mean_daily_demand, dtype=float)
    variance = np.square(sigma_protection) + np.square(d) * np.square(lead_time_std_days)
    return np.maximum(np.asarray(z, dtype=float), 0.0) * np.sqrt(np.maximum(variance, 0.0))


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
    cp = case_packs(case_pack)
    moq = np.nan_to_num(np.asarray(min_order_qty, dtype=float), nan=0.0)
    cases = np.ceil(np.maximum(q, 0.0) / cp - 1e-9)
    moq_cases = np.ceil(np.maximum(moq, 0.0) / cp - 1e-9)
    cases = np.where(cases > 0, np.maximum(cases, moq_cases), 0.0)
    out = (cases * cp).astype(np.int64)
    return int(out) if np.ndim(out) == 0 else out


def protection_days(lead_time_days: np.ndarray | pd.Series, review_period_days: float):
    """Days of demand an order placed at a review must cover: ``L + R - 1``.

    The lead time counts from the order day to the day stock is sellable (receipt plus the DC's
    handling), sellable from the start of that day; an order placed at the end of review day
    ``t`` therefore covers days ``t + 1`` up to the day before the *next* order is sellable,
    ``t + R + L - 1``. Counting one day too many was measured to add a point or two of service
    on steady items, whose buffer is small next to a day's demand.
    """
    return np.maximum(np.asarray(lead_time_days, dtype=float) - 1.0, 0.0) + float(
        review_period_days
    )


def replenishment_levels(frame: pd.DataFrame, review_period_days: float) -> pd.DataFrame:
    """Safety stock, reorder point and order-up-to level per series (see the module docstring).

    ``frame`` columns: mean_daily_demand, sigma_protection, lead_time_mean_days,
    lead_time_std_days, service_level_target, intermittent (bool), empirical_quantile (NaN
    unless intermittent), case_pack, min_order_qty. Returns protection_days, safety_stock,
    reorder_point, order_up_to and policy_method ("normal" or "empirical"), same index.
    """
    d = frame["mean_daily_demand"].to_numpy(dtype=float)
    review = float(review_period_days)
    protection = protection_days(frame["lead_time_mean_days"].to_numpy(dtype=float), review)
    lead = protection - review
    # the part of the review period an order must still cover (see the module docstring)
    case_pack = frame["case_pack"].to_numpy(float)
    min_order_qty = frame["min_order_qty"].to_numpy(float)
    share = review_share(d * review, case_pack, min_order_qty)
    trigger_days = lead + review * share
    z = z_value(frame["service_level_target"].to_numpy(dtype=float))
    demand_z = frame["demand_z"].to_numpy(float) if "demand_z" in frame.columns else z
    demand_z = np.where(np.isfinite(demand_z), demand_z, z)
    lead_sd = d * frame["lead_time_std_days"].to_numpy(float)
    sigma_p = frame["sigma_protection"].to_numpy(float)
    sigma_trigger = sigma_p * np.sqrt(trigger_days / np.maximum(protection, 1e-9))
    lead_z = frame["lead_z"].to_numpy(float) if "lead_z" in frame.columns else z
    lead_z = np.where(np.isfinite(lead_z), lead_z, z)
    lead_part = np.square(np.maximum(lead_z, 0.0) * lead_sd)
    buffer_up_to = np.sqrt(np.square(demand_z * sigma_p) + lead_part)
    buffer_trigger = np.sqrt(np.square(demand_z * sigma_trigger) + lead_part)
    empirical = frame["empirical_quantile"].to_numpy(dtype=float)
    use_empirical = frame["intermittent"].fillna(False).to_numpy(bool) & np.isfinite(empirical)
    cycle_stock = d * protection
    order_up_to = np.where(
        use_empirical, np.maximum(empirical, cycle_stock), cycle_stock + buffer_up_to
    )
    reorder_point = np.where(
        use_empirical,
        order_up_to - d * review * (1.0 - share),
        d * trigger_days + buffer_trigger,
    )
    # the rounding's half case above both levels (the safety stock keeps the buffer it carries)
    safety = np.maximum(np.minimum(reorder_point, order_up_to) - d * trigger_days, 0.0)
    overshoot = case_overshoot(d * review, case_pack, min_order_qty)
    order_up_to = np.maximum(order_up_to - overshoot, 0.0)
    reorder_point = np.clip(reorder_point - overshoot, 0.0, order_up_to)
    return pd.DataFrame(
        {
            "protection_days": protection,
            "safety_stock": safety,
            "reorder_point": reorder_point,
            "order_up_to": order_up_to,
            "policy_method": np.where(use_empirical, "empirical", "normal"),
        },
        index=frame.index,
    )


def order_quantities(
    position: np.ndarray,
    reorder_point: np.ndarray,
    order_up_to: np.ndarray,
    case_pack: np.ndarray,
    min_order_qty: np.ndarray,
) -> np.ndarray:
    """Units to order at a review: when the position is at or below the reorder point, up to the
    order-up-to level in whole cases and at least the MOQ; otherwise nothing."""
    position = np.asarray(position, dtype=float)
    due = position <= np.asarray(reorder_point, dtype=float)
    need = np.maximum(np.asarray(order_up_to, dtype=float) - position, 1e-9)
    qty = round_to_case_pack(need, case_pack, min_order_qty)
    return np.where(due, qty, 0).astype(np.int64)


def protection_demand(forecast: pd.DataFrame, protection_days: pd.DataFrame) -> pd.DataFrame:
    """Mean daily P50 over each series' first ``ceil(L + R)`` forecast days (all days when the
    protection period outruns the horizon). ``protection_days``: sku, location_id, days."""
    fc = forecast[[*SERIES_KEYS, "horizon_day", "p50"]].merge(protection_days, on=SERIES_KEYS)
    within = fc[fc["horizon_day"] <= np.ceil(fc["days"])]
    means = within.groupby(SERIES_KEYS)["p50"].mean()
    fallback = fc.groupby(SERIES_KEYS)["p50"].mean()
    return means.reindex(fallback.index).fillna(fallback).rename("mean_daily_demand").reset_index()


def _policy_inputs(
    forecast: pd.DataFrame,
    positions: pd.DataFrame,
    lead_times: pd.DataFrame,
    review_period_days: float,
) -> pd.DataFrame:
    """Positions joined with lead times and protection-period demand."""
    pos = positions.astype({"sku": str, "location_id": str, "supplier_id": str})
    keys = forecast[SERIES_KEYS].drop_duplicates().astype(str)
    frame = pos.merge(keys, on=SERIES_KEYS, how="inner")
    frame = resolve_lead_times(frame, lead_times.astype({"supplier_id": str, "location_id": str}))
    days = frame[SERIES_KEYS].assign(
        days=protection_days(frame["lead_time_mean_days"], review_period_days)
    )
    fc = forecast.astype({"sku": str, "location_id": str})
    frame = frame.merge(protection_demand(fc, days), on=SERIES_KEYS, how="left")
    frame["mean_daily_demand"] = frame["mean_daily_demand"].fillna(0.0).clip(lower=0.0)
    frame["on_hand"] = frame["on_hand"].fillna(0).astype("int64")
    frame["on_order"] = frame["on_order"].fillna(0).astype("int64")
    position = frame["on_hand"] + frame["on_order"]
    if "inventory_position" in frame.columns:
        position = frame["inventory_position"].fillna(position)
    frame["inventory_position"] = position.astype(float)
    return frame


def _risk_columns(
    frame: pd.DataFrame,
    error_std: pd.DataFrame,
    risk: pd.DataFrame | None,
    classes: pd.DataFrame | None,
    service_level: float,
    review: float,
) -> pd.DataFrame:
    """Attach sigma (daily and over the protection period), class, target and intermittency."""
    sigma = error_std.astype({"sku": str, "location_id": str})[[*SERIES_KEYS, "demand_std_daily"]]
    frame = frame.merge(sigma, on=SERIES_KEYS, how="left")
    poisson_sigma = np.sqrt(frame["mean_daily_demand"])
    frame["demand_std_daily"] = frame["demand_std_daily"].fillna(poisson_sigma).clip(lower=0.0)
    protection = protection_days(frame["lead_time_mean_days"], review)
    frame["sigma_protection"] = np.sqrt(protection) * frame["demand_std_daily"]
    if risk is not None:
        wanted = ("sigma_protection", "empirical_quantile", "demand_z", "lead_z")
        cols = [c for c in wanted if c in risk.columns]
        extra = risk[[*SERIES_KEYS, *cols]].astype({"sku": str, "location_id": str})
        frame = frame.drop(columns="sigma_protection").merge(extra, on=SERIES_KEYS, how="left")
        frame["sigma_protection"] = frame["sigma_protection"].fillna(
            np.sqrt(protection) * frame["demand_std_daily"]
        )
    for col in ("empirical_quantile", "demand_z", "lead_z"):
        if col not in frame.columns:
            frame[col] = np.nan
    if classes is not None:
        cls = classes[[*SERIES_KEYS, "service_class", "service_level_target", "intermittent"]]
        frame = frame.merge(
            cls.astype({"sku": str, "location_id": str}), on=SERIES_KEYS, how="left"
        )
    else:
        frame["service_class"] = None
        frame["service_level_target"] = np.nan
        frame["intermittent"] = False
    frame["service_class"] = frame["service_class"].fillna("unclassified").astype(str)
    frame["service_level_target"] = frame["service_level_target"].fillna(float(service_level))
    frame["intermittent"] = frame["intermittent"].fillna(False).astype(bool)
    return frame


def plan_inventory(
    forecast: pd.DataFrame,
    error_std: pd.DataFrame | None,
    positions: pd.DataFrame,
    lead_times: pd.DataFrame,
    plan_date: DateLike,
    *,
    service_level: float,
    review_period_days: int,
    classes: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The inventory plan: one row per SKU x DC present in both ``positions`` and ``forecast``.

    ``forecast`` is a daily forecast (sku, location_id, horizon_day, p50); ``error_std`` gives the
    daily error sigma (sku, location_id, demand_std_daily); pass ``None`` to read it from the
    published forecast's ``error_std_daily`` column. ``classes`` (sku, location_id,
    service_class, service_level_target, intermittent) sets each series' target, otherwise every
    series is planned for ``service_level``. ``risk`` (sku, location_id, sigma_protection,
    empirical_quantile, optional demand_z and lead_z) overrides the ``sqrt(P)`` protection
    sigma with the measured one, supplies the calibrated multiples and the empirical levels of
    intermittent series. ``lead_times`` must already include
    any handling days. Returns ``INVENTORY_PLAN_COLUMNS``.
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
    plan = _policy_inputs(forecast, positions, lead_times, review)
    plan = _risk_columns(plan, error_std, risk, classes, service_level, review)
    levels = replenishment_levels(plan, review)
    plan = pd.concat([plan, levels], axis=1)
    position = plan["inventory_position"].to_numpy(float)
    qty = order_quantities(
        position,
        plan["reorder_point"].to_numpy(float),
        plan["order_up_to"].to_numpy(float),
        plan["case_pack"].to_numpy(float),
        plan["min_order_qty"].to_numpy(float),
    )
    plan = plan.assign(
        plan_date=day.date(),
        review_period_days=int(review_period_days),
        order_quantity=qty,
        order_due=qty > 0,
        need_by_date=[
            (day + pd.Timedelta(days=math.ceil(v))).date() for v in plan["lead_time_mean_days"]
        ],
        unit_cost=plan["unit_cost"].astype(float),
    )
    plan["order_value"] = plan["order_quantity"] * plan["unit_cost"]
    plan["coordination"] = None
    plan["plan_date"] = plan["plan_date"].astype("object")
    plan["review_period_days"] = plan["review_period_days"].astype("int64")
    float_cols = [
        "mean_daily_demand",
        "demand_std_daily",
        "lead_time_mean_days",
        "lead_time_std_days",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "service_level_target",
    ]
    plan[float_cols] = plan[float_cols].astype(float)
    plan = plan.sort_values(SERIES_KEYS, kind="stable").reset_index(drop=True)
    return plan[INVENTORY_PLAN_COLUMNS]
