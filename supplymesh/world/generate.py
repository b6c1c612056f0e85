"""Generate one batch of every source extract for a synthetic supply-chain world.

The world-level facts (calendar, network, catalog, prices, promotions, demand profiles, policies,
shipping schedule, customers) are drawn once; then SKUs are simulated in chunks of whole suppliers
(so a purchase order never straddles two chunks) and each chunk's orders, stock and receipts are
appended to the batch before the next chunk starts, so peak memory is bounded by the chunk size,
not by the world.

Determinism: every random draw comes from a named child of ``SeedSequence(seed)`` (see ``rng``);
demand noise and supplier fill come from per-SKU streams and order assembly from per-chunk
streams, and chunks are fixed by the scale, so the same seed, scale and as-of date give identical
data whatever the batch id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from supplymesh.settings import MeshPaths
from supplymesh.world.calendar import REGIONS, build_calendar, calendar_table
from supplymesh.world.catalog import build_catalog, supplier_specialties
from supplymesh.world.demand import chunk_demand, draw_profiles
from supplymesh.world.extracts import (
    item_master_table,
    orders_table,
    receipts_table,
    stock_table,
)
from supplymesh.world.landing import is_batch_id, new_batch_id
from supplymesh.world.network import build_network, draw_schedule
from supplymesh.world.orders import build_order_lines
from supplymesh.world.people import customer_pool
from supplymesh.world.pricing import price_paths
from supplymesh.world.promotions import plan_promotions, promotions_table
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import get_scale
from supplymesh.world.simulate import draw_policies, simulate_inventory
from supplymesh.world.writers import BatchWriter

DEFAULT_AS_OF = date(2026, 11, 27)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class WorldSummary:
    """What one ``generate_world`` call wrote."""

    scale: str
    seed: int
    as_of: date
    batch_id: str
    rows: dict[str, int] = field(hash=False)
    seconds: float
    files: dict[str, Path] = field(hash=False, default_factory=dict)


def plan_chunks(supplier: np.ndarray, n_suppliers: int, chunk_skus: int) -> list[np.ndarray]:
    """SKU indexes per chunk: whole suppliers packed greedily up to ``chunk_skus`` SKUs."""
    chunks: list[np.ndarray] = []
    current: list[np.ndarray] = []
    size = 0
    for j in range(n_suppliers):
        skus = np.flatnonzero(supplier == j)
        if skus.size == 0:
            continue
        if current and size + skus.size > chunk_skus:
            chunks.append(np.concatenate(current))
            current, size = [], 0
        current.append(skus)
        size += skus.size
    if current:
        chunks.append(np.concatenate(current))
    return chunks


def generate_world(paths: MeshPaths, scale: str = "small", seed: int = 7,
                   as_of: date = DEFAULT_AS_OF, batch_id: str | None = None,
                   progress: Progress | None = None) -> WorldSummary:
    """Write one batch of every extract into ``paths.landing`` and summarise it.

    ``progress(stage, done, total)`` is called after each reference extract (stage "reference")
    and each chunk of SKUs (stage "chunks").
    """
    started = time.perf_counter()
    spec = get_scale(scale)
    batch_id = batch_id or new_batch_id()
    if not is_batch_id(batch_id):
        raise ValueError(f"batch_id {batch_id!r} is not of the form YYYYMMDDTHHMMSSZ")
    report = progress or (lambda _stage, _done, _total: None)

    cal = build_calendar(as_of, spec.history_days, spec.horizon_days)
    h = spec.history_days
    catalog = build_catalog(stream(seed, Stream.CATALOG), spec.n_skus, spec.n_suppliers, h)
    net = build_network(stream(seed, Stream.NETWORK), spec.n_dcs, spec.n_suppliers,
                        supplier_specialties(spec.n_suppliers))
    schedule = draw_schedule(stream(seed, Stream.SHIPPING), net, h)
    prices = price_paths(stream(seed, Stream.PRICING), catalog.base_price, cal.n_days, h)
    promos = plan_promotions(stream(seed, Stream.PROMOTIONS), catalog, np.unique(net.dc_region),
                             cal.n_days)
    profiles = draw_profiles(stream(seed, Stream.PROFILES), catalog, spec.n_dcs)
    policies = draw_policies(stream(seed, Stream.POLICY), spec.n_skus, spec.n_dcs)
    customer_ids, customer_emails = customer_pool(stream(seed, Stream.CUSTOMERS),
                                                  spec.n_customers)
    customer_ids_arr, customer_emails_arr = pa.array(customer_ids), pa.array(customer_emails)
    promo_ids = pa.array(promos.ids, pa.string())
    first_day = cal.days[0]

    with BatchWriter(paths.landing, batch_id) as out:
        reference = {
            "calendar": calendar_table(cal),
            "locations": net.locations,
            "lanes": net.lanes,
            "item_master": item_master_table(catalog, prices, h - 1, net.supplier_ids, first_day),
            "promotions": promotions_table(promos, catalog, REGIONS, first_day),
        }
        for i, (name, table) in enumerate(reference.items(), start=1):
            out.write(name, table)
            report("reference", i, len(reference))

        chunks = plan_chunks(catalog.supplier, spec.n_suppliers, spec.chunk_skus)
        for c, skus in enumerate(chunks):
            rngs = [stream(seed, Stream.SKU, int(k)) for k in skus]
            dem = chunk_demand(skus, profiles, catalog, cal, prices, promos, net.dc_region, rngs)
            inv = simulate_inventory(skus, dem, catalog, net, schedule, policies, cal.weekday,
                                     rngs)
            lines = build_order_lines(
                stream(seed, Stream.CHUNK, c), c, skus, inv.sales, profiles.series_level(skus),
                spec.lines_per_day, spec.lines_per_order, spec.n_dcs, spec.n_customers, cal.days,
                net.dc_region, prices, dem.promo_row, promos.discount)
            out.append("orders", orders_table(lines, catalog, net.dc_ids, customer_ids_arr,
                                              customer_emails_arr, promo_ids, cal.days))
            out.append("stock_snapshot", stock_table(inv, skus, catalog, net.dc_ids, cal.days))
            out.append("receipts", receipts_table(inv, skus, catalog, net, prices, cal.days, h))
            del dem, inv, lines
            report("chunks", c + 1, len(chunks))
        files = out.publish()
    return WorldSummary(scale, seed, as_of, batch_id, dict(out.rows),
                        round(time.perf_counter() - started, 3), files)
