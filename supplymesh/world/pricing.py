"""List-price paths: a few small price changes a year per SKU.

Demand answers a list-price change with the SKU's elasticity, the same one that drives promotion
uplift, so a forecaster can learn one price response from both. Prices only change inside the
history; over the horizon the as-of price holds (nobody announces next month's list price).
"""

from __future__ import annotations

import numpy as np

CHANGES_PER_YEAR = 2.5
CHANGE_LOG_MEAN, CHANGE_LOG_STD = 0.012, 0.03  # mostly small increases, some cuts


def price_paths(
    rng: np.random.Generator, base_price: np.ndarray, n_days: int, history_days: int
) -> np.ndarray:
    """Daily list price per SKU, shape (n_skus, n_days), rounded to cents."""
    n = base_price.size
    n_changes = rng.poisson(CHANGES_PER_YEAR * history_days / 365.25, n)
    k = max(int(n_changes.max(initial=0)), 1)
    day = rng.integers(1, history_days, (n, k))
    step = rng.normal(CHANGE_LOG_MEAN, CHANGE_LOG_STD, (n, k))
    used = np.arange(k)[None, :] < n_changes[:, None]
    log_step = np.zeros((n, n_days))
    rows = np.broadcast_to(np.arange(n)[:, None], (n, k))
    np.add.at(log_step, (rows[used], day[used]), step[used])
    return np.round(base_price[:, None] * np.exp(np.cumsum(log_step, axis=1)), 2).clip(0.29)
