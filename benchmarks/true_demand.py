"""What customers wanted in a generated world, before stock-outs censored it.

The landing extracts carry only sales (``min(demand, stock)``); the generator's demand itself is
never written. It is deterministic in (scale, seed, as-of date), though: every SKU's demand comes
from its own named random stream (``supplymesh.world.rng``), drawn first, so rebuilding the world
and drawing each chunk's demand again gives exactly the demand behind the landed sales. The
lost-sales benchmark scores forecasts and imputations against it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from supplymesh.world.demand import chunk_demand
from supplymesh.world.generate import DEFAULT_AS_OF, build_world, plan_chunks
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import get_scale


def true_demand(scale: str, seed: int = 7, as_of: date = DEFAULT_AS_OF) -> pd.DataFrame:
    """One row per SKU x DC x history day: ``sku, location_id, demand_date, true_demand``."""
    spec = get_scale(scale)
    world = build_world(spec, seed, as_of)
    days = world.cal.days[: spec.history_days]
    parts = []
    for skus in plan_chunks(world.item_master.supplier, spec.n_suppliers, spec.chunk_skus):
        rngs = [stream(seed, Stream.SKU, int(k)) for k in skus]  # as write_chunk draws them
        dem = chunk_demand(
            skus,
            world.profiles,
            world.item_master,
            world.cal,
            world.prices,
            world.promos,
            world.net.dc_region,
            rngs,
        )
        n_series, h = dem.demand.shape  # series are SKU-major, DC-minor
        sku_of = np.repeat(skus, spec.n_dcs)
        dc_of = np.tile(np.arange(spec.n_dcs), skus.size)
        parts.append(
            pd.DataFrame(
                {
                    "sku": np.repeat(np.asarray(world.item_master.skus)[sku_of], h),
                    "location_id": np.repeat(np.asarray(world.net.dc_ids)[dc_of], h),
                    "demand_date": np.tile(days, n_series),
                    "true_demand": dem.demand.reshape(-1).astype(float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["demand_date"] = pd.to_datetime(out["demand_date"])
    return out
