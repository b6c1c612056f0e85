import numpy as np
import pytest

from supplymesh.planning.logistics.truck_loading import (
    cp_sat_packing,
    first_fit_decreasing,
    lower_bound,
    oversize_dimension,
    pack,
)

INF = np.inf


def _loads(sizes: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    return np.array([sizes[assignment == b].sum(axis=0) for b in range(assignment.max() + 1)])


def test_lower_bound_is_the_tightest_dimension():
    sizes = np.array([[400, 1, 1], [400, 1, 1], [400, 9, 1]], dtype=float)
    assert lower_bound(sizes, np.array([1000, 10, 33])) == 2  # weight 1.2 and volume 1.1 trucks
    assert lower_bound(sizes, np.array([2000, 20, 33])) == 1
    assert lower_bound(np.zeros((0, 3)), np.array([1, 1, 1])) == 0


def test_oversize_dimension_names_the_dimension():
    cap = np.array([1000, 10, 5])
    assert oversize_dimension(np.array([1200, 1, 1]), cap) == "weight_kg"
    assert oversize_dimension(np.array([100, 11, 1]), cap) == "volume_m3"
    assert oversize_dimension(np.array([100, 1, 6]), cap) == "pallets"
    assert oversize_dimension(np.array([1000, 10, 5]), cap) is None  # exactly full fits
    assert oversize_dimension(np.array([5000, 1, 1]), np.array([INF, 10, 5])) is None


def test_cp_sat_reaches_the_lower_bound_where_ffd_does_not():
    # weights 4,4,3,3,3,3 into trucks of 10: FFD opens a third truck, {4,3,3} x 2 fits in two
    sizes = np.array([[4, 0, 0], [4, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0]], float)
    cap = np.array([10, INF, INF])
    ffd = first_fit_decreasing(sizes, cap)
    assert ffd.max() + 1 == 3
    assert lower_bound(sizes, cap) == 2
    result = pack(sizes, cap)
    assert result.solver == "cp-sat"
    assert result.n_bins == result.lower_bound == 2
    assert (_loads(sizes, result.assignment)[:, 0] <= 10).all()


def test_cp_sat_is_skipped_when_ffd_is_already_optimal_or_group_too_large():
    sizes = np.array([[5, 0, 0], [5, 0, 0], [5, 0, 0]], float)
    assert pack(sizes, np.array([10, INF, INF])).solver == "ffd"
    hard = np.array([[4, 0, 0], [4, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0]], float)
    result = pack(hard, np.array([10, INF, INF]), exact_max_items=5)
    assert result.solver == "ffd" and result.n_bins == 3


def test_cp_sat_reports_infeasible_bin_budget():
    sizes = np.array([[6, 0, 0], [6, 0, 0]], float)
    assert cp_sat_packing(sizes, np.array([10, INF, INF]), max_bins=1) is None


@pytest.mark.parametrize("seed", range(12))
def test_no_truck_exceeds_capacity_on_random_instances(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    cap = np.array([rng.uniform(5_000, 25_000), rng.uniform(30, 90), rng.integers(10, 34)], float)
    sizes = np.column_stack(
        [
            rng.uniform(0.01, 0.6, n) * cap[0],
            rng.uniform(0.01, 0.6, n) * cap[1],
            rng.integers(1, max(2, int(cap[2] * 0.6)), n),
        ]
    )
    result = pack(sizes, cap, time_limit_s=0.5)
    assert result.assignment.shape == (n,)
    assert set(result.assignment) == set(range(result.n_bins))  # no empty truck
    loads = _loads(sizes, result.assignment)
    assert (loads <= cap * (1 + 1e-9)).all()
    assert result.n_bins >= result.lower_bound
