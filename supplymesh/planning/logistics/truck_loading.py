"""Packing orders into trucks: multi-dimensional bin packing (weight, volume, pallets).

Fewer trucks is the objective; no truck may exceed any of its three capacities.

* ``first_fit_decreasing`` is the fast heuristic: sort the orders by their share of the *binding*
  dimension (the one whose total is largest relative to capacity) and put each into the first
  truck it fits in every dimension.
* ``cp_sat_packing`` is the exact model (OR-Tools CP-SAT) for small groups: assignment booleans,
  one capacity constraint per truck and dimension, symmetry broken by ordering trucks. It only
  searches for a packing with fewer trucks than FFD found, under a time limit, single-threaded
  with a fixed seed so a plan is reproducible.
* ``pack`` runs FFD, stops when FFD already meets the lower bound
  ``ceil(max over dimensions of total / capacity)``, and otherwise keeps the better of the two.

Sizes are an ``(n, 3)`` array and capacity a length-3 array in ``DIMENSIONS`` order; an infinite
or missing capacity leaves that dimension unconstrained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

DIMENSIONS = ("weight_kg", "volume_m3", "pallets")
EXACT_MAX_ITEMS = 40
EXACT_TIME_LIMIT_S = 2.0
_TOL = 1e-9
_SCALE = 1_000_000  # CP-SAT works in integers: sizes as millionths of a truck, rounded up


@dataclass(frozen=True)
class PackResult:
    """Truck index (0..n_bins-1) per item, and how it was found."""

    assignment: np.ndarray
    n_bins: int
    lower_bound: int
    solver: str  # "ffd" or "cp-sat"


def _normalized(sizes: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Sizes as shares of a truck per dimension (0 where the dimension is unconstrained)."""
    sizes = np.atleast_2d(np.asarray(sizes, dtype=float))
    cap = np.asarray(capacity, dtype=float)
    bounded = np.isfinite(cap) & (cap > 0)
    out = np.zeros_like(sizes)
    out[:, bounded] = sizes[:, bounded] / cap[bounded]
    return out


def oversize_dimension(size: np.ndarray, capacity: np.ndarray) -> str | None:
    """The first dimension in which one item alone exceeds a truck, or None if it fits."""
    share = _normalized(np.asarray(size, dtype=float).reshape(1, -1), capacity)[0]
    for dim, s in zip(DIMENSIONS, share, strict=True):
        if s > 1.0 + _TOL:
            return dim
    return None


def lower_bound(sizes: np.ndarray, capacity: np.ndarray) -> int:
    """``ceil(max over dimensions of total / capacity)``: no packing can use fewer trucks."""
    share = _normalized(sizes, capacity)
    if share.size == 0:
        return 0
    return max(1, math.ceil(float(share.sum(axis=0).max()) - 1e-7))


def first_fit_decreasing(sizes: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """FFD on the binding dimension; returns the truck index of every item."""
    share = _normalized(sizes, capacity)
    n = share.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    binding = int(np.argmax(share.sum(axis=0)))
    order = np.lexsort((np.arange(n), -share.max(axis=1), -share[:, binding]))
    loads: list[np.ndarray] = []
    assignment = np.full(n, -1, dtype=int)
    for i in order:
        for b, load in enumerate(loads):
            if np.all(load + share[i] <= 1.0 + _TOL):
                load += share[i]
                assignment[i] = b
                break
        else:
            loads.append(share[i].copy())
            assignment[i] = len(loads) - 1
    return assignment


def _integer_sizes(sizes: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer sizes and capacities, rounded so an integer-feasible packing is feasible for real."""
    sizes = np.atleast_2d(np.asarray(sizes, dtype=float))
    cap = np.asarray(capacity, dtype=float)
    int_sizes = np.zeros(sizes.shape, dtype=np.int64)
    int_cap = np.zeros(len(cap), dtype=np.int64)
    for k, c in enumerate(cap):
        if not (np.isfinite(c) and c > 0):
            continue
        if DIMENSIONS[k] == "pallets":
            int_sizes[:, k] = np.ceil(sizes[:, k] - _TOL).astype(np.int64)
            int_cap[k] = math.floor(c + _TOL)
        else:
            int_sizes[:, k] = np.ceil(sizes[:, k] / c * _SCALE - 1e-6).astype(np.int64)
            int_cap[k] = _SCALE
    return int_sizes, int_cap


def cp_sat_packing(
    sizes: np.ndarray,
    capacity: np.ndarray,
    max_bins: int,
    time_limit_s: float = EXACT_TIME_LIMIT_S,
    seed: int = 0,
) -> np.ndarray | None:
    """An exact packing into at most ``max_bins`` trucks minimising trucks used, or None when no
    such packing was found within the time limit."""
    int_sizes, int_cap = _integer_sizes(sizes, capacity)
    n = int_sizes.shape[0]
    if n == 0 or max_bins <= 0:
        return None
    model = cp_model.CpModel()
    x = {
        (i, b): model.new_bool_var(f"x{i}_{b}")
        for i in range(n)
        for b in range(min(i + 1, max_bins))
    }
    used = [model.new_bool_var(f"y{b}") for b in range(max_bins)]
    for i in range(n):
        model.add_exactly_one(x[i, b] for b in range(min(i + 1, max_bins)))
    for b in range(max_bins):
        items = [i for i in range(b, n)]
        for i in items:
            model.add_implication(x[i, b], used[b])
        for k in range(len(DIMENSIONS)):
            if int_cap[k] > 0:
                model.add(sum(int(int_sizes[i, k]) * x[i, b] for i in items) <= int(int_cap[k]))
        if b + 1 < max_bins:
            model.add(used[b] >= used[b + 1])
    model.minimize(sum(used))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    assignment = np.zeros(n, dtype=int)
    for (i, b), var in x.items():
        if solver.value(var):
            assignment[i] = b
    # relabel trucks 0..k-1 in order of first use
    _, relabeled = np.unique(assignment, return_inverse=True)
    return relabeled


def pack(
    sizes: np.ndarray,
    capacity: np.ndarray,
    exact_max_items: int = EXACT_MAX_ITEMS,
    time_limit_s: float = EXACT_TIME_LIMIT_S,
) -> PackResult:
    """Pack items (each fits a truck alone) into as few trucks as FFD or, for small groups, CP-SAT
    can manage; CP-SAT is kept only when it uses strictly fewer trucks."""
    sizes = np.atleast_2d(np.asarray(sizes, dtype=float))
    bound = lower_bound(sizes, capacity)
    ffd = first_fit_decreasing(sizes, capacity)
    n_ffd = int(ffd.max()) + 1 if ffd.size else 0
    if n_ffd <= bound or len(sizes) > exact_max_items:
        return PackResult(ffd, n_ffd, bound, "ffd")
    exact = cp_sat_packing(sizes, capacity, max_bins=n_ffd - 1, time_limit_s=time_limit_s)
    if exact is not None and int(exact.max()) + 1 < n_ffd:
        return PackResult(exact, int(exact.max()) + 1, bound, "cp-sat")
    return PackResult(ffd, n_ffd, bound, "ffd")
