"""The sizes a world can be generated at, as one table.

A scale fixes everything that decides volume and run time (catalogue, network, history, customer
pool) plus the chunk size that bounds memory, so a test, the demo and a load run differ only by a
name. Order-line volume follows from ``lines_per_day``: the typical number of order lines one
regular-moving SKU x DC series produces per selling day.
"""

from __future__ import annotations

from dataclasses import dataclass

HORIZON_DAYS = 28  # promotions are planned this far beyond the as-of date (the forecast horizon)


@dataclass(frozen=True)
class Scale:
    """One world size. ``chunk_skus`` bounds how many SKUs are simulated and held at once."""

    name: str
    n_skus: int
    n_dcs: int
    n_suppliers: int
    history_days: int
    n_customers: int
    chunk_skus: int
    lines_per_day: float  # target order lines per selling day of a regular-moving series
    lines_per_order: float  # mean order lines per customer order
    horizon_days: int = HORIZON_DAYS


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale(
            "tiny",
            n_skus=6,
            n_dcs=2,
            n_suppliers=2,
            history_days=400,
            n_customers=300,
            chunk_skus=3,
            lines_per_day=2.5,
            lines_per_order=3.0,
        ),
        Scale(
            "small",
            n_skus=40,
            n_dcs=4,
            n_suppliers=4,
            history_days=730,
            n_customers=2_000,
            chunk_skus=20,
            lines_per_day=2.2,
            lines_per_order=3.0,
        ),
        Scale(
            "medium",
            n_skus=400,
            n_dcs=8,
            n_suppliers=12,
            history_days=730,
            n_customers=20_000,
            chunk_skus=100,
            lines_per_day=2.4,
            lines_per_order=4.0,
        ),
        Scale(
            "large",
            n_skus=2_000,
            n_dcs=10,
            n_suppliers=32,
            history_days=1_095,
            n_customers=120_000,
            chunk_skus=100,
            lines_per_day=2.5,
            lines_per_order=5.0,
        ),
    )
}


def get_scale(name: str) -> Scale:
    """The scale called ``name``; a clear error listing the valid names otherwise."""
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {sorted(SCALES)}") from None
