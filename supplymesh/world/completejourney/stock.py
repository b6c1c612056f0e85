"""Stock and purchase orders for the Complete Journey world, replayed against its real sales.

A generous order-up-to policy on each supplier's order days (cover: lead time plus
``POLICY_COVER_DAYS`` days of the trailing four weeks' mean, times ``POLICY_SAFETY``). The sales
happened, so stock may never run short: when the policy would, a top-up receipt is booked that
day (ordered a lead time earlier). Stock reconciles exactly with sales and booked receipts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POLICY_COVER_DAYS = 10.0  # order-up-to covers lead time plus this many days...
POLICY_SAFETY = 1.6  # ...of the trailing four weeks' mean, times this


@dataclass
class Replenishment:
    """Simulated stock and receipts of every SKU x DC."""

    on_hand: np.ndarray  # (n_series, n_days) end of day
    on_order: np.ndarray
    receipts: list[tuple[int, int, int, int, int]]  # series, order day, ship day, receipt day, qty


def replenish(
    demand: np.ndarray,
    case: np.ndarray,
    supplier: np.ndarray,
    dc: np.ndarray,
    review: np.ndarray,
    lead: np.ndarray,
    transit: np.ndarray,
    handling: np.ndarray,
    weekday: np.ndarray,
) -> Replenishment:
    """A generous order-up-to policy on the supplier's order days; top-ups keep stock >= 0."""
    n, h = demand.shape
    cover = lead.mean(axis=2)[supplier, dc] + transit.mean(axis=2)[supplier, dc] + handling[dc]
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(demand, axis=1)], axis=1)
    on_hand = np.zeros((n, h), dtype=np.int64)
    on_order = np.zeros((n, h), dtype=np.int64)
    pad = int(lead.max() + transit.max() + handling.max() + 2)
    booked_units = np.zeros((n, h + pad), dtype=np.int64)
    receipts: list[tuple[int, int, int, int, int]] = []
    stock = np.ceil(demand[:, :28].mean(axis=1) * (cover + POLICY_COVER_DAYS) * POLICY_SAFETY)
    stock = stock.astype(np.int64)
    pipeline = np.zeros(n, dtype=np.int64)
    for d in range(h):
        stock += booked_units[:, d]
        pipeline -= booked_units[:, d]
        short = demand[:, d] - stock
        for i in np.flatnonzero(short > 0):  # a top-up ordered a lead time earlier, booked today
            qty = int(np.ceil(short[i] / case[i]) * case[i])
            s, j = supplier[i], dc[i]
            order = max(d - int(lead[s, j, d] + transit[s, j, d] + handling[j]), 0)
            receipt = d - int(handling[j])
            ship = max(order, receipt - int(transit[s, j, d]))
            receipts.append((int(i), order, min(ship, receipt), receipt, qty))
            stock[i] += qty
        stock -= demand[:, d].astype(np.int64)
        lo = max(d - 27, 0)
        rate = (csum[:, d + 1] - csum[:, lo]) / (d + 1 - lo)
        target = np.ceil(rate * (cover + POLICY_COVER_DAYS) * POLICY_SAFETY)
        position = stock + pipeline
        due = review[supplier, weekday[d]] & (position < target)
        for i in np.flatnonzero(due):
            s, j = supplier[i], dc[i]
            qty = int(np.ceil((target[i] - position[i]) / case[i]) * case[i])
            ship = d + int(lead[s, j, d])
            receipt = ship + int(transit[s, j, d])
            booked = receipt + int(handling[j])
            booked_units[i, booked] += qty
            pipeline[i] += qty
            receipts.append((int(i), d, ship, receipt, qty))
        on_hand[:, d] = stock
        on_order[:, d] = pipeline
    return Replenishment(on_hand, on_order, receipts)
