"""Promotions: a few per SKU and region a year, including those planned beyond the as-of date.

Promotions never overlap within a SKU x region (at least ``COOLDOWN_DAYS`` apart) so the
post-promotion dip of one never lands inside the next; about one SKU in seven is never promoted.
Planned promotions inside the forecast horizon are known future inputs for the forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from supplymesh.world.item_master import ItemMaster

PROMO_TYPES = ("tpr", "display", "bogo")
PROMO_TYPE_P = (0.55, 0.30, 0.15)
PROMO_BOOST = np.array([1.0, 1.25, 1.1])  # demand lift beyond the price effect (shelf display)
BOGO_DISCOUNT = 0.33  # "buy two, get one free"
NEVER_PROMOTED_SHARE = 0.15
PER_YEAR = (3.0, 8.0)
DURATION_DAYS = (5, 14)
COOLDOWN_DAYS = 14


@dataclass(frozen=True)
class Promotions:
    """One entry per promotion; days are indexes from the first history day (end inclusive)."""

    ids: list[str]
    sku: np.ndarray
    region: np.ndarray
    start: np.ndarray
    end: np.ndarray
    discount: np.ndarray
    ptype: np.ndarray  # index into PROMO_TYPES

    @property
    def uplift_boost(self) -> np.ndarray:
        return PROMO_BOOST[self.ptype]


def plan_promotions(
    rng: np.random.Generator, items: ItemMaster, regions: np.ndarray, n_days: int
) -> Promotions:
    """Non-overlapping promotions per SKU x region (``regions``: indexes of the regions sold in),
    starting anywhere up to the horizon end."""
    n_sku, n_regions = items.n_skus, regions.size
    per_year = np.where(
        rng.random(n_sku) < NEVER_PROMOTED_SHARE, 0.0, rng.uniform(*PER_YEAR, n_sku)
    )
    interval = np.repeat(365.0 / np.maximum(per_year, 1e-9), n_regions)  # per sku x region
    n_pairs = n_sku * n_regions
    k = n_days // (DURATION_DAYS[0] + COOLDOWN_DAYS) + 2
    duration = rng.integers(DURATION_DAYS[0], DURATION_DAYS[1] + 1, (n_pairs, k))
    mean_gap = np.maximum(interval - np.mean(DURATION_DAYS) - COOLDOWN_DAYS, 5.0)
    gap = COOLDOWN_DAYS + np.rint(rng.exponential(1.0, (n_pairs, k)) * mean_gap[:, None])
    first = np.floor(rng.random(n_pairs) * np.minimum(interval, n_days))
    step = np.concatenate([first[:, None], (duration[:, :-1] + gap[:, 1:])], axis=1)
    start = np.cumsum(step, axis=1).astype(np.int64)
    end = start + duration - 1
    ptype = rng.choice(len(PROMO_TYPES), (n_pairs, k), p=PROMO_TYPE_P)
    disc = np.where(
        ptype == 0, rng.uniform(0.10, 0.40, (n_pairs, k)), rng.uniform(0.10, 0.25, (n_pairs, k))
    )
    disc = np.where(ptype == 2, BOGO_DISCOUNT, np.round(disc / 0.05) * 0.05)

    sku = np.repeat(np.arange(n_sku), n_regions)[:, None].repeat(k, axis=1)
    region = np.tile(regions, n_sku)[:, None].repeat(k, axis=1)
    keep = (
        (per_year[sku] > 0)
        & (start < n_days)
        & (start >= items.launch_day[sku])
        & (end < items.end_day[sku])
    )
    ids = [f"PR{i + 1:07d}" for i in range(int(keep.sum()))]
    return Promotions(
        ids, sku[keep], region[keep], start[keep], end[keep], np.round(disc[keep], 2), ptype[keep]
    )


def promotions_table(
    p: Promotions, items: ItemMaster, regions: tuple[str, ...], first_day: np.datetime64
) -> pa.Table:
    """The ``promotions`` extract."""
    return pa.table(
        {
            "promo_id": p.ids,
            "sku": pa.array(items.skus).take(pa.array(p.sku)),
            "region": pa.array(regions).take(pa.array(p.region)),
            "start_date": pa.array(first_day + p.start),
            "end_date": pa.array(first_day + p.end),
            "discount_pct": p.discount.astype(np.float64),
            "promo_type": pa.array(PROMO_TYPES).take(pa.array(p.ptype)),
        }
    )
