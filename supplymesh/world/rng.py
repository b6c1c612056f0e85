"""Named, independent random streams derived from one seed.

Every part of the world draws from its own child of ``SeedSequence(seed)``, addressed by a fixed
spawn key, exactly the child ``SeedSequence(seed).spawn(...)`` would hand out at that position.
Addressing children by key rather than by call order means adding a draw in one module never shifts
another module's numbers, and per-SKU streams make a SKU's demand independent of how SKUs are
grouped into chunks.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Top-level spawn keys; never renumber (it would change every generated world)."""

    CALENDAR = 0
    NETWORK = 1
    ITEM_MASTER = 2
    PRICING = 3
    PROMOTIONS = 4
    SHIPPING = 5
    CUSTOMERS = 6
    SKU = 7  # one grandchild per SKU: demand noise and supplier fill
    CHUNK = 8  # one grandchild per chunk: order-line assembly
    PROFILES = 9  # per-SKU demand character (level, trend, elasticity, ...)
    POLICY = 10  # replenishment parameters per SKU x DC


def stream(seed: int, key: Stream, index: int | None = None) -> np.random.Generator:
    """The generator of stream ``key`` (and its ``index``-th child, e.g. a SKU) for ``seed``."""
    spawn_key = (int(key),) if index is None else (int(key), int(index))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn_key)))
