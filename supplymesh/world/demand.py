"""Daily customer demand per SKU x DC: the signal a forecast has to learn.

Expected demand is a product of interpretable effects, each one something a forecaster can see in
the published products:

* level: heavy-tailed (lognormal) across SKUs, with ~20% intermittent slow movers (< 1 unit/day),
  scaled by DC size and a SKU x DC mix factor;
* trend per SKU (-10%..+25% a year) and a launch ramp for new items (zero once delisted);
* weekly profile per category and yearly seasonality with a category-specific peak;
* holidays of the DC's region (closed-ish on the day, stock-up before);
* price: list-price changes and promotions both act through ``(price / base) ** -elasticity``,
  displays add a shelf boost, and a short post-promotion dip follows (pantry loading);
* a slowly drifting latent factor (AR(1), small) so the recent level matters,

and actual demand is negative-binomial around it (over-dispersed; mostly zeros for slow movers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplymesh.world.calendar import Calendar
from supplymesh.world.item_master import CATEGORIES, ItemMaster
from supplymesh.world.promotions import Promotions

SLOW_MOVER_SHARE = 0.2
LEVEL_MEDIAN, LEVEL_SIGMA = 5.0, 1.0  # units/day per SKU (regular movers), before DC factors
TREND_RANGE = (-0.10, 0.25)  # per year
WEEKLY_BASE = np.array([1.15, 1.0, 1.0, 1.05, 1.2, 0.8, 0.35])  # Mon..Sun: DCs ship for the weekend
LATENT_PHI, LATENT_SD = 0.97, 0.08
LAUNCH_RAMP_DAYS = 20.0
DIP_DAYS = 7


@dataclass(frozen=True)
class DemandProfiles:
    """Per-SKU and per-category demand character, drawn once for the whole world."""

    level: np.ndarray  # (n_skus,) mean units/day before DC factors
    slow: np.ndarray  # (n_skus,) bool: intermittent slow mover
    trend: np.ndarray  # (n_skus,) growth per year
    elasticity: np.ndarray  # (n_skus,)
    dispersion: np.ndarray  # (n_skus,) negative-binomial size (smaller = noisier)
    season_amp: np.ndarray  # (n_skus,)
    season_peak: np.ndarray  # (n_skus,) day of year
    dc_mix: np.ndarray  # (n_skus, n_dcs) SKU x DC level factor, DC size included
    weekly: np.ndarray  # (n_categories, 7) mean-one weekday profile

    def series_level(self, skus: np.ndarray) -> np.ndarray:
        """Mean units/day per series (SKU-major, DC-minor) ignoring trend and seasonality."""
        return (self.level[skus, None] * self.dc_mix[skus]).reshape(-1)


def draw_profiles(rng: np.random.Generator, items: ItemMaster, n_dcs: int) -> DemandProfiles:
    """Draw every SKU's demand character and each category's weekly shape."""
    n = items.n_skus
    cat = items.category
    slow = rng.random(n) < SLOW_MOVER_SHARE
    level = np.where(
        slow, rng.uniform(0.08, 0.9, n), rng.lognormal(np.log(LEVEL_MEDIAN), LEVEL_SIGMA, n)
    )
    e_lo = np.array([CATEGORIES[c].elasticity[0] for c in cat])
    e_hi = np.array([CATEGORIES[c].elasticity[1] for c in cat])
    weekly = WEEKLY_BASE[None, :] * rng.lognormal(0, 0.12, (len(CATEGORIES), 7))
    dc_size = rng.lognormal(0, 0.25, n_dcs)
    return DemandProfiles(
        level=level,
        slow=slow,
        trend=rng.uniform(*TREND_RANGE, n),
        elasticity=rng.uniform(e_lo, e_hi),
        dispersion=np.where(slow, rng.uniform(0.4, 1.2, n), rng.uniform(4.0, 15.0, n)),
        season_amp=np.array([CATEGORIES[c].season_amp for c in cat]) * rng.uniform(0.6, 1.4, n),
        season_peak=np.array([CATEGORIES[c].season_peak for c in cat]) + rng.integers(-15, 16, n),
        dc_mix=dc_size[None, :] * rng.lognormal(0, 0.3, (n, n_dcs)),
        weekly=weekly / weekly.mean(axis=1, keepdims=True),
    )


@dataclass(frozen=True)
class ChunkDemand:
    """Demand of one chunk's series over the history (series = SKU-major, DC-minor)."""

    demand: np.ndarray  # int64 (n_series, H): what customers wanted
    regular_rate: np.ndarray  # float (n_series, H): the planner's view (no promo/holiday/noise)
    promo_row: np.ndarray  # int64 (n_chunk_skus, n_regions, H): promotion index or -1


def promo_effects(
    promos: Promotions, skus: np.ndarray, elasticity: np.ndarray, n_regions: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Promotion index per (chunk SKU, region, day) and the demand multiplier it causes.

    ``elasticity`` is per chunk SKU (aligned with ``skus``).

    The multiplier is ``(1 - discount) ** -elasticity`` times the mechanic's boost on promoted
    days, and a dip fading over ``DIP_DAYS`` after each promotion.
    """
    local = np.full(max(int(promos.sku.max(initial=-1)), int(skus.max())) + 1, -1)
    local[skus] = np.arange(skus.size)
    pick = np.flatnonzero(local[promos.sku] >= 0)
    row = np.full((skus.size, n_regions, horizon), -1, dtype=np.int64)
    mult = np.ones((skus.size, n_regions, horizon))
    k, r = local[promos.sku[pick]], promos.region[pick]
    start, end = promos.start[pick], np.minimum(promos.end[pick], horizon - 1)
    uplift = (1 - promos.discount[pick]) ** -elasticity[k] * promos.uplift_boost[pick]
    n = np.maximum(end - start + 1, 0)
    at = np.repeat(np.arange(pick.size), n)
    day = start[at] + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    row[k[at], r[at], day] = pick[at]
    mult[k[at], r[at], day] = uplift[at]
    depth = 0.15 * np.minimum(1.0, (uplift - 1) / 2)
    for i in range(1, DIP_DAYS + 1):  # a week of days, not rows
        d = promos.end[pick] + i
        ok = d < horizon
        mult[k[ok], r[ok], d[ok]] *= 1 - depth[ok] * (DIP_DAYS + 1 - i) / DIP_DAYS
    return row, mult


def chunk_demand(
    skus: np.ndarray,
    prof: DemandProfiles,
    items: ItemMaster,
    cal: Calendar,
    prices: np.ndarray,
    promos: Promotions,
    dc_region: np.ndarray,
    sku_rngs: list[np.random.Generator],
) -> ChunkDemand:
    """Expected and sampled demand for the SKUs of one chunk at every DC over the history.

    Randomness comes only from ``sku_rngs`` (one generator per SKU), so a SKU's demand does not
    depend on which chunk it was simulated in.
    """
    h, n_dc, n_k = cal.history_days, dc_region.size, skus.size
    t = np.arange(h)
    years = t / 365.25
    trend = (1 + prof.trend[skus, None]) ** years[None, :]
    doy = cal.day_of_year[:h]
    yearly = np.exp(
        prof.season_amp[skus, None]
        * np.cos(2 * np.pi * (doy[None, :] - prof.season_peak[skus, None]) / 365.25)
    )
    price = prices[skus, :h]
    price_eff = (price / price[:, :1]) ** -prof.elasticity[skus, None]
    age = t[None, :] - items.launch_day[skus, None]
    life = np.where(age < 0, 0.0, 1 - np.exp(-(age + 1) / LAUNCH_RAMP_DAYS))
    life = np.where(t[None, :] >= items.end_day[skus, None], 0.0, life)
    regular_sku = prof.level[skus, None] * trend * yearly * price_eff * life  # (n_k, h)
    regular = regular_sku[:, None, :] * prof.dc_mix[skus][:, :, None]  # (n_k, n_dc, h)

    weekly = prof.weekly[items.category[skus]][:, cal.weekday[:h]]  # (n_k, h)
    holiday = cal.demand_mult[dc_region][:, :h]  # (n_dc, h)
    promo_row, promo_mult = promo_effects(promos, skus, prof.elasticity[skus], len(cal.regions), h)

    innov = np.stack([g.standard_normal((n_dc, h)) for g in sku_rngs])  # (n_k, n_dc, h)
    latent = np.empty_like(innov)
    scale = LATENT_SD * np.sqrt(1 - LATENT_PHI**2)
    latent[:, :, 0] = LATENT_SD * innov[:, :, 0]
    for d in range(1, h):
        latent[:, :, d] = LATENT_PHI * latent[:, :, d - 1] + scale * innov[:, :, d]

    mu = (
        regular
        * weekly[:, None, :]
        * holiday[None, :, :]
        * promo_mult[:, dc_region, :]
        * np.exp(latent - LATENT_SD**2 / 2)
    )
    size = prof.dispersion[skus]
    demand = np.stack(
        [g.negative_binomial(size[i], size[i] / (size[i] + mu[i])) for i, g in enumerate(sku_rngs)]
    )
    return ChunkDemand(
        demand.reshape(n_k * n_dc, h).astype(np.int64), regular.reshape(n_k * n_dc, h), promo_row
    )
