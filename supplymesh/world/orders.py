"""Customer order lines: each SKU x DC x day's sales split into lines, lines grouped into orders.

A DC serves the customers (stores, accounts) assigned to it; a few large customers place most
orders. One day's sales of a series become ``1 + Binomial(q - 1, 1 / m)`` lines of at least one unit
(``m`` = the series' typical line size, chosen so a regular mover makes ~``lines_per_day`` lines a
day), the units spread over the lines by random weights. Lines of the same DC and day are then
shuffled and cut into orders, round by round so an order never holds the same SKU twice. All of it
is array arithmetic over the chunk; there is no per-line Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ORDER_DIGITS = (8, 2, 3, 5)  # yyyymmdd, DC number, chunk number, sequence within DC-day-chunk
CUSTOMER_SKEW = 2.5  # larger = a few customers order much more often


@dataclass(frozen=True)
class OrderLines:
    """Order lines of one chunk at one DC, sorted by day and order."""

    order_no: np.ndarray  # int64: the digits of ``SO-<digits>``
    line_number: np.ndarray
    day: np.ndarray  # day index
    customer: np.ndarray  # index into the customer pool
    sku: np.ndarray  # global SKU index
    dc: np.ndarray  # DC index
    quantity: np.ndarray
    unit_price: np.ndarray
    promo: np.ndarray  # global promotion index or -1

    def __len__(self) -> int:
        return int(self.order_no.size)


def yyyymmdd(days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` days as integers like 20261127."""
    months = days.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year * 10_000 + month * 100 + day


def split_lines(
    rng: np.random.Generator, qty: np.ndarray, line_size: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each ``qty[g]`` into lines: returns (group of each line, its rank in the group, units).

    Every line gets one unit, and the other ``qty - n_lines`` units are cut at the cumulative share
    of exponential weights, so the units always add back up to ``qty`` exactly.
    """
    n_lines = 1 + rng.binomial(qty - 1, np.clip(1.0 / line_size, 0.0, 1.0))
    group = np.repeat(np.arange(qty.size), n_lines)
    first = np.cumsum(n_lines) - n_lines
    rank = np.arange(group.size) - first[group]
    weight = rng.exponential(1.0, group.size)
    csum = np.cumsum(weight)
    before = (csum[first] - weight[first])[group]
    total = csum[first + n_lines - 1][group] - before
    share = np.where(rank == n_lines[group] - 1, 1.0, (csum - before) / total)
    extra = (qty - n_lines)[group]
    cum_extra = np.floor(share * extra).astype(np.int64)
    prev = np.where(rank == 0, 0, np.roll(cum_extra, 1))
    return group, rank, 1 + cum_extra - prev


def build_order_lines(
    rng: np.random.Generator,
    chunk_no: int,
    dc: int,
    skus: np.ndarray,
    sales: np.ndarray,
    series_level: np.ndarray,
    lines_per_day: float,
    lines_per_order: float,
    n_dcs: int,
    n_customers: int,
    days: np.ndarray,
    region: int,
    prices: np.ndarray,
    promo_row: np.ndarray,
    promo_discount: np.ndarray,
) -> OrderLines:
    """Order lines of one DC for one chunk: ``sales`` is (chunk SKUs, days) at DC ``dc``.

    Orders never span DCs, so a chunk is assembled one DC at a time, which keeps the line arrays
    (the largest objects of a run) to one DC's worth.
    """
    k_local, day = np.nonzero(sales)
    group, rank, units = split_lines(
        rng, sales[k_local, day], np.maximum(1.0, series_level / lines_per_day)[k_local]
    )
    k_local, day = k_local[group], day[group]
    del group

    # shuffle within a day, lines of the same round (rank) together, then cut into orders
    order = np.lexsort((rng.random(k_local.size), rank, day))
    k_local, day, rank, units = k_local[order], day[order], rank[order], units[order]
    del order
    block = np.r_[True, day[1:] != day[:-1]]  # first line of a day
    new_order = block | np.r_[True, rank[1:] != rank[:-1]]
    new_order |= rng.random(k_local.size) < 1.0 / lines_per_order
    del rank
    order_ix = np.cumsum(new_order) - 1
    order_start = np.flatnonzero(new_order)
    del new_order
    line_number = np.arange(k_local.size) - order_start[order_ix] + 1
    seq = order_ix - order_ix[np.flatnonzero(block)][np.cumsum(block) - 1] + 1
    del block
    if seq.size and (seq.max() >= 10 ** ORDER_DIGITS[3] or chunk_no >= 10 ** ORDER_DIGITS[2]):
        raise ValueError("order numbering overflow: use smaller chunks")
    order_no = (
        (yyyymmdd(days[day]) * 10 ** ORDER_DIGITS[1] + dc + 1) * 10 ** ORDER_DIGITS[2] + chunk_no
    ) * 10 ** ORDER_DIGITS[3] + seq
    del seq

    # one customer per order, from the DC's own customers, skewed towards the big ones
    per_dc = (n_customers - dc + n_dcs - 1) // n_dcs
    pick = np.floor(per_dc * rng.random(order_start.size) ** CUSTOMER_SKEW).astype(np.int64)
    customer = (dc + n_dcs * pick)[order_ix]

    sku = skus[k_local]
    promo = promo_row[k_local, region, day]
    discount = np.where(promo >= 0, promo_discount[np.maximum(promo, 0)], 0.0)
    unit_price = np.round(prices[sku, day] * (1 - discount), 2)
    return OrderLines(
        order_no, line_number, day, customer, sku, np.full(sku.size, dc), units, unit_price, promo
    )
