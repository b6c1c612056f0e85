"""Day-by-day inventory at each DC: stock-outs censor sales, purchase orders replenish.

Each SKU x DC runs a periodic-review (s, S) policy on its supplier's order weekdays: when the
inventory position (on hand + on order) is at or below ``s`` it orders up to ``S`` in whole cases,
at least the minimum order quantity. The planner sizes ``s`` from the regular demand rate over the
replenishment cover (supplier lead + lane transit + DC handling + review period) times a safety
factor, and that policy is deliberately imperfect: about a quarter of the series get a safety
factor below one, and nobody plans for promotions, holidays or lead-time variability. So stock
runs out on a few percent of days, mostly during promotions and on badly-set series; on those
days sales are the stock that was available and the rest of the demand is lost, unrecorded.

Suppliers ship on the day drawn in the shipping schedule and occasionally short; goods are booked
on hand ``handling_days`` after the receipt date and stay on order until then.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplymesh.world.demand import ChunkDemand
from supplymesh.world.item_master import ItemMaster
from supplymesh.world.network import Network, ShippingSchedule

LOW_SAFETY_SHARE = 0.25
LOW_SAFETY = (0.7, 1.0)
SAFETY = (1.15, 1.7)
CYCLE_DAYS = (7.0, 21.0)
SHORT_FRACTION = (0.05, 0.35)  # share of a short-shipped line that is missing
INITIAL_FILL = 0.5  # initial stock between s and S


@dataclass(frozen=True)
class Policies:
    """Replenishment parameters per SKU x DC, drawn once for the whole world."""

    safety: np.ndarray  # (n_skus, n_dcs) multiplier on the cover-period demand
    cycle_days: np.ndarray  # (n_skus, n_dcs) days of demand one order aims to cover


def draw_policies(rng: np.random.Generator, n_skus: int, n_dcs: int) -> Policies:
    """Mostly sensible, sometimes too-low safety factors, and order cycles of one to three weeks."""
    shape = (n_skus, n_dcs)
    low = rng.random(shape) < LOW_SAFETY_SHARE
    safety = np.where(low, rng.uniform(*LOW_SAFETY, shape), rng.uniform(*SAFETY, shape))
    return Policies(safety, rng.uniform(*CYCLE_DAYS, shape))


@dataclass(frozen=True)
class ChunkInventory:
    """Simulated sales, end-of-day stock and every PO line placed, for one chunk's series."""

    sales: np.ndarray  # int64 (n_series, H)
    on_hand: np.ndarray  # int64 (n_series, H), end of day
    on_order: np.ndarray  # int64 (n_series, H), end of day
    first_day: np.ndarray  # int64 (n_series,): first day the series is stocked (launch)
    po_series: np.ndarray  # per PO line: series index
    po_day: np.ndarray  # order day
    po_ship: np.ndarray  # ship day
    po_receipt: np.ndarray  # receipt day (may be after the as-of date: still open)
    po_qty: np.ndarray  # units ordered
    po_received: np.ndarray  # units received


def simulate_inventory(
    skus: np.ndarray,
    dem: ChunkDemand,
    items: ItemMaster,
    net: Network,
    schedule: ShippingSchedule,
    policies: Policies,
    weekday: np.ndarray,
    sku_rngs: list[np.random.Generator],
) -> ChunkInventory:
    """Run the chunk's series through the history, vectorised across series, one loop over days."""
    n_series, h = dem.demand.shape
    n_dc = net.n_dcs
    sku_s = np.repeat(skus, n_dc)
    dc_s = np.tile(np.arange(n_dc), skus.size)
    sup_s = items.supplier[sku_s]
    handling = net.dc_handling[dc_s]
    case, moq = items.case_pack[sku_s], items.min_order_qty[sku_s]

    low, high = _planner_levels(skus, dem, net, policies, sup_s, dc_s, moq)
    t = np.arange(h)
    alive = (t[None, :] >= items.launch_day[sku_s, None]) & (
        t[None, :] < items.end_day[sku_s, None]
    )
    review = net.supplier_review_days[sup_s][:, weekday[:h]] & alive
    lead = schedule.lead[sup_s, dc_s, :h]
    transit = schedule.transit[sup_s, dc_s, :h]

    short = _supplier_shortfalls(net.fill_short_prob[items.supplier[skus]], sku_rngs, n_dc, h)

    first_day = np.clip(items.launch_day[sku_s], 0, None)
    init_stock = np.zeros(n_series, dtype=np.int64)
    starts = first_day < h
    fd = first_day[starts]
    init_stock[starts] = np.rint(
        low[starts, fd] + INITIAL_FILL * (high[starts, fd] - low[starts, fd])
    )
    pad = int(lead.max(initial=1) + transit.max(initial=1) + handling.max(initial=0) + 2)
    arrive_units = np.zeros((n_series, h + pad), dtype=np.int64)  # booked on hand that day
    arrive_order = np.zeros((n_series, h + pad), dtype=np.int64)  # leaves on_order that day
    on_hand = np.zeros(n_series, dtype=np.int64)
    on_order = np.zeros(n_series, dtype=np.int64)
    sales = np.zeros((n_series, h), dtype=np.int64)
    oh_hist = np.zeros((n_series, h), dtype=np.int64)
    oo_hist = np.zeros((n_series, h), dtype=np.int64)
    po: list[tuple[np.ndarray, ...]] = []
    demand = dem.demand
    for d in range(h):
        on_hand = np.where(first_day == d, init_stock, on_hand)
        avail = on_hand + arrive_units[:, d]
        sold = np.minimum(demand[:, d], avail)
        on_hand = avail - sold
        on_order -= arrive_order[:, d]
        position = on_hand + on_order
        idx = np.flatnonzero(review[:, d] & (position <= low[:, d]))
        if idx.size:
            gap = high[idx, d] - position[idx]
            qty = np.maximum(-(-gap // case[idx]) * case[idx], moq[idx])
            got = qty - np.floor(qty * short[idx, d]).astype(np.int64)
            ship = d + lead[idx, d]
            receipt = ship + transit[idx, d]
            booked = receipt + handling[idx]
            arrive_units[idx, booked] += got
            arrive_order[idx, booked] += qty
            on_order[idx] += qty
            po.append((idx, np.full(idx.size, d), ship, receipt, qty, got))
        sales[:, d] = sold
        oh_hist[:, d] = on_hand
        oo_hist[:, d] = on_order
    cols = (
        [np.concatenate(c) for c in zip(*po, strict=True)]
        if po
        else [np.array([], dtype=np.int64)] * 6
    )
    return ChunkInventory(sales, oh_hist, oo_hist, first_day, *cols)


def _planner_levels(
    skus: np.ndarray,
    dem: ChunkDemand,
    net: Network,
    policies: Policies,
    sup_s: np.ndarray,
    dc_s: np.ndarray,
    moq: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The simulated planner's reorder level and order-up-to level per series and day."""
    n_review = net.supplier_review_days.sum(axis=1)
    handling = net.dc_handling[dc_s]
    cover = net.lead_mean[sup_s] + net.transit_mean[sup_s, dc_s] + handling + 7.0 / n_review[sup_s]
    safety = policies.safety[skus].reshape(-1)
    cycle = policies.cycle_days[skus].reshape(-1)
    low = np.ceil(dem.regular_rate * (cover * safety)[:, None]).astype(np.int64)
    high = low + np.maximum(
        np.ceil(dem.regular_rate * cycle[:, None]).astype(np.int64), moq[:, None]
    )
    return low, high


def _supplier_shortfalls(
    p_short: np.ndarray, sku_rngs: list[np.random.Generator], n_dc: int, h: int
) -> np.ndarray:
    """Share of each series-day's order the supplier fails to ship, from each SKU's own stream."""
    return np.concatenate(
        [
            np.where(g.random((n_dc, h)) < p_short[i], g.uniform(*SHORT_FRACTION, (n_dc, h)), 0.0)
            for i, g in enumerate(sku_rngs)
        ]
    )
