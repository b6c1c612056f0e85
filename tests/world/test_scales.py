"""The scale table, and (slow) the demo scale's volume and speed."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplymesh.settings import MeshPaths
from supplymesh.world import SCALES, generate_world, get_scale


def test_scales_grow_in_order() -> None:
    names = ["tiny", "small", "medium", "large"]
    assert list(SCALES) == names
    series_days = [s.n_skus * s.n_dcs * s.history_days for s in SCALES.values()]
    assert series_days == sorted(series_days)
    small = get_scale("small")
    assert (small.n_skus, small.n_dcs, small.n_suppliers, small.history_days) == (40, 4, 4, 730)
    assert all(s.horizon_days == 28 for s in SCALES.values())


@pytest.mark.slow
def test_small_world_volume_and_speed(tmp_path: Path) -> None:
    summary = generate_world(MeshPaths(tmp_path), "small", batch_id="20260101T000000Z")
    assert 150_000 <= summary.rows["orders"] <= 300_000
    assert summary.rows["stock_snapshot"] <= 40 * 4 * 730
    assert summary.seconds < 30
