"""Synthetic ``fct_demand_features`` frames: weekly pattern, promotion uplift, holidays, noise.

Built here rather than from the repo's world generator so the planning tests stand alone. The
lag and rolling columns follow the mart's definitions (look back >= 28 days, so they are known for
the whole horizon).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-11-27")


def make_features(
    n_skus: int = 6,
    n_locations: int = 2,
    history_days: int = 400,
    horizon: int = 28,
    seed: int = 7,
    stockout_rate: float = 0.02,
    promo_uplift: float = 2.5,
    as_of: pd.Timestamp = AS_OF,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(
        as_of - pd.Timedelta(days=history_days - 1), as_of + pd.Timedelta(days=horizon)
    )
    n_days = len(dates)
    skus = [f"SKU{i:04d}" for i in range(n_skus)]
    locations = [f"DC{j:02d}" for j in range(n_locations)]
    regions = {loc: f"R{j % 2}" for j, loc in enumerate(locations)}
    categories = {sku: f"CAT{i % 3}" for i, sku in enumerate(skus)}
    suppliers = {sku: f"SUP{i % 4}" for i, sku in enumerate(skus)}
    list_price = {sku: float(rng.uniform(2, 40)) for sku in skus}
    holidays = set(dates[rng.choice(n_days, size=max(1, n_days // 40), replace=False)])
    dow = dates.dayofweek.to_numpy()  # 0 = Monday
    weekly = {
        c: np.array([0.85, 0.9, 0.95, 1.0, 1.15, 1.45, 0.7]) * rng.uniform(0.9, 1.1, 7)
        for c in sorted(set(categories.values()))
    }

    # promotions per sku x region: ~7-day windows every ~5 weeks, discount 10-40 %
    promo = {}
    for sku in skus:
        for region in sorted(set(regions.values())):
            disc = np.zeros(n_days)
            start = int(rng.integers(0, 30))
            while start < n_days:
                length = int(rng.integers(4, 10))
                disc[start : start + length] = round(float(rng.uniform(0.1, 0.4)), 2)
                start += length + int(rng.integers(20, 45))
            promo[(sku, region)] = disc

    frames = []
    doy = dates.dayofyear.to_numpy()
    for sku in skus:
        for loc in locations:
            region = regions[loc]
            base = float(np.exp(rng.normal(np.log(8), 0.7)))
            season = 1 + 0.2 * np.sin(2 * np.pi * doy / 365.25 + rng.uniform(0, 2 * np.pi))
            disc = promo[(sku, region)]
            hol = np.array([d in holidays for d in dates])
            mu = base * season * weekly[categories[sku]][dow] * np.exp(promo_uplift * disc)
            mu *= np.where(hol, 1.3, 1.0)
            demand = rng.poisson(rng.gamma(6.0, mu / 6.0)).astype(float)
            stockout = rng.random(n_days) < stockout_rate
            sold = np.where(stockout, np.floor(demand * rng.uniform(0, 0.5, n_days)), demand)
            frames.append(
                pd.DataFrame(
                    {
                        "sku": sku,
                        "location_id": loc,
                        "region": region,
                        "category": categories[sku],
                        "supplier_id": suppliers[sku],
                        "demand_date": dates,
                        "units_sold": sold,
                        "is_stockout": stockout,
                        "is_holiday": hol,
                        "discount_pct": disc,
                        "list_price": list_price[sku],
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    df["as_of_date"] = as_of
    df["is_history"] = df["demand_date"] <= as_of
    df.loc[~df["is_history"], "units_sold"] = np.nan
    df.loc[~df["is_history"], "is_stockout"] = False
    df["is_promo"] = df["discount_pct"] > 0
    df["unit_price"] = df["list_price"] * (1 - df["discount_pct"])
    df["price_ratio"] = df["unit_price"] / df["list_price"]
    df["revenue"] = df["units_sold"] * df["unit_price"]
    df["on_hand_eod"] = np.where(df["is_history"], 50.0, np.nan)
    d = df["demand_date"].dt
    df["day_of_week"] = d.dayofweek + 1
    df["day_of_month"] = d.day
    df["day_of_year"] = d.dayofyear
    df["week_of_year"] = d.isocalendar().week.astype(int).to_numpy()
    df["month"] = d.month
    g = df.groupby(["sku", "location_id"])["units_sold"]
    for lag in (28, 35, 42, 364):
        df[f"lag_{lag}"] = g.shift(lag)
    lag28 = df.groupby(["sku", "location_id"])["lag_28"]
    for window in (7, 28, 91):
        df[f"rolling_mean_{window}_lag28"] = lag28.transform(
            lambda s, w=window: s.rolling(w, min_periods=max(1, w // 2)).mean()
        )
    df["rolling_std_28_lag28"] = lag28.transform(lambda s: s.rolling(28, min_periods=14).std())
    df["demand_date"] = df["demand_date"].dt.date
    df["as_of_date"] = df["as_of_date"].dt.date
    return df


def make_lane(lane_id: str, origin: str, destination: str, **overrides) -> dict:
    """One ``fct_lane_stats`` row with round numbers; override what a test needs."""
    lane = {
        "lane_id": lane_id,
        "origin_id": origin,
        "destination_id": destination,
        "carrier": "C1",
        "max_weight_kg": 1000.0,
        "max_volume_m3": 10.0,
        "max_pallets": 10,
        "ftl_cost": 800.0,
        "ltl_cost_per_kg": 0.5,
        "ltl_min_charge": 100.0,
        "currency": "EUR",
        "transit_days_nominal": 2.0,
        "transit_days_observed_mean": 2.5,
        "transit_days_observed_std": 0.5,
        "transit_days_p90": 3.2,
        "n_shipments": 12,
        "destination_handling_days": 1,
    }
    lane.update(overrides)
    return lane
