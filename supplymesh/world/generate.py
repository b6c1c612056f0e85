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

from supplymesh.publishing.landing import is_batch_id, new_batch_id
from supplymesh.settings import MeshPaths
from supplymesh.world.calendar import REGIONS, Calendar, build_calendar, calendar_table
from supplymesh.world.demand import DemandProfiles, chunk_demand, draw_profiles
from supplymesh.world.extracts import (
    item_master_table,
    orders_table,
    receipts_table,
    stock_table,
)
from supplymesh.world.item_master import ItemMaster, build_item_master, supplier_specialties
from supplymesh.world.network import Network, ShippingSchedule, build_network, draw_schedule
from supplymesh.world.orders import build_order_lines
from supplymesh.world.people import customer_pool
from supplymesh.world.pricing import price_paths
from supplymesh.world.promotions import Promotions, plan_promotions, promotions_table
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import Scale, get_scale
from supplymesh.world.simulate import Policies, draw_policies, simulate_inventory
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


@dataclass(frozen=True)
class World:
    """Everything decided once for the whole world, before any SKU is simulated."""

    spec: Scale
    seed: int
    cal: Calendar
    item_master: ItemMaster
    net: Network
    schedule: ShippingSchedule
    prices: np.ndarray  # (n_skus, n_days) list price
    promos: Promotions
    profiles: DemandProfiles
    policies: Policies
    customer_ids: pa.Array
    customer_emails: pa.Array


def build_world(spec: Scale, seed: int, as_of: date) -> World:
    """Draw the world-level facts, each from its own named stream."""
    h = spec.history_days
    cal = build_calendar(as_of, h, spec.horizon_days)
    items = build_item_master(stream(seed, Stream.ITEM_MASTER), spec.n_skus, spec.n_suppliers, h)
    net = build_network(
        stream(seed, Stream.NETWORK),
        spec.n_dcs,
        spec.n_suppliers,
        supplier_specialties(spec.n_suppliers),
    )
    customer_ids, customer_emails = customer_pool(stream(seed, Stream.CUSTOMERS), spec.n_customers)
    return World(
        spec=spec,
        seed=seed,
        cal=cal,
        item_master=items,
        net=net,
        schedule=draw_schedule(stream(seed, Stream.SHIPPING), net, h),
        prices=price_paths(stream(seed, Stream.PRICING), items.base_price, cal.n_days, h),
        promos=plan_promotions(
            stream(seed, Stream.PROMOTIONS), items, np.unique(net.dc_region), cal.n_days
        ),
        profiles=draw_profiles(stream(seed, Stream.PROFILES), items, spec.n_dcs),
        policies=draw_policies(stream(seed, Stream.POLICY), spec.n_skus, spec.n_dcs),
        customer_ids=pa.array(customer_ids, pa.string()),
        customer_emails=pa.array(customer_emails, pa.string()),
    )


def reference_tables(w: World) -> dict[str, pa.Table]:
    """The small extracts, written whole before the chunks."""
    first_day = w.cal.days[0]
    return {
        "calendar": calendar_table(w.cal),
        "locations": w.net.locations,
        "lanes": w.net.lanes,
        "item_master": item_master_table(
            w.item_master, w.prices, w.spec.history_days - 1, w.net.supplier_ids, first_day
        ),
        "promotions": promotions_table(w.promos, w.item_master, REGIONS, first_day),
    }


def write_chunk(out: BatchWriter, w: World, chunk_no: int, skus: np.ndarray) -> None:
    """Simulate one chunk of SKUs and append its orders (one part), stock and receipts."""
    spec, cal, n_dcs = w.spec, w.cal, w.spec.n_dcs
    rngs = [stream(w.seed, Stream.SKU, int(k)) for k in skus]  # demand first, then fill
    dem = chunk_demand(
        skus, w.profiles, w.item_master, cal, w.prices, w.promos, w.net.dc_region, rngs
    )
    inv = simulate_inventory(
        skus, dem, w.item_master, w.net, w.schedule, w.policies, cal.weekday, rngs
    )
    chunk_rng = stream(w.seed, Stream.CHUNK, chunk_no)
    level = w.profiles.series_level(skus)
    promo_ids = pa.array(w.promos.ids, pa.string())
    for j in range(n_dcs):  # series are SKU-major, so DC j's rows are j::n_dcs
        lines = build_order_lines(
            chunk_rng,
            chunk_no,
            j,
            skus,
            inv.sales[j::n_dcs],
            level[j::n_dcs],
            spec.lines_per_day,
            spec.lines_per_order,
            n_dcs,
            spec.n_customers,
            cal.days,
            int(w.net.dc_region[j]),
            w.prices,
            dem.promo_row,
            w.promos.discount,
        )
        out.append(
            "orders",
            orders_table(
                lines,
                w.item_master,
                w.net.dc_ids,
                w.customer_ids,
                w.customer_emails,
                promo_ids,
                cal.days,
            ),
        )
    out.end_part("orders")
    out.append("stock_snapshot", stock_table(inv, skus, w.item_master, w.net.dc_ids, cal.days))
    out.append(
        "receipts",
        receipts_table(inv, skus, w.item_master, w.net, w.prices, cal.days, spec.history_days),
    )


def generate_world(
    paths: MeshPaths,
    scale: str = "small",
    seed: int = 7,
    as_of: date = DEFAULT_AS_OF,
    batch_id: str | None = None,
    progress: Progress | None = None,
) -> WorldSummary:
    """Write one batch of every extract into ``paths.landing`` and summarise it.

    ``progress(stage, done, total)`` is called after each reference extract (stage "reference")
    and each chunk of SKUs (stage "chunks"). Nothing is published if any step fails.
    """
    started = time.perf_counter()
    spec = get_scale(scale)
    batch_id = batch_id or new_batch_id()
    if not is_batch_id(batch_id):
        raise ValueError(f"batch_id {batch_id!r} is not of the form YYYYMMDDTHHMMSSZ")
    report = progress or (lambda _stage, _done, _total: None)
    world = build_world(spec, seed, as_of)
    with BatchWriter(paths.landing, batch_id) as out:
        reference = reference_tables(world)
        for i, (name, table) in enumerate(reference.items(), start=1):
            out.write(name, table)
            report("reference", i, len(reference))
        chunks = plan_chunks(world.item_master.supplier, spec.n_suppliers, spec.chunk_skus)
        for c, skus in enumerate(chunks):
            write_chunk(out, world, c, skus)
            pa.default_memory_pool().release_unused()  # keep the peak at one chunk's worth
            report("chunks", c + 1, len(chunks))
        files = out.publish()
    return WorldSummary(
        scale, seed, as_of, batch_id, dict(out.rows), round(time.perf_counter() - started, 3), files
    )
