"""ABC by value, XYZ by weekly variability, and intermittency."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.inventory.classification import ServiceTargets, classify_series
from supplymesh.planning_settings import default_planning_settings


def history(levels: dict[str, np.ndarray]) -> pd.DataFrame:
    days = pd.date_range("2026-01-01", periods=182)
    return pd.concat(
        [
            pd.DataFrame({"sku": sku, "location_id": "DC1", "demand_date": days, "units_sold": y})
            for sku, y in levels.items()
        ],
        ignore_index=True,
    )


def test_classes_follow_value_and_variability():
    rng = np.random.default_rng(0)
    levels = {
        "BIG": np.full(182, 200.0),  # most of the value alone: A, perfectly steady: X
        "MID": rng.poisson(20, 182).astype(float),  # next 15 %: B
        "LUMPY": np.where(np.arange(182) % 21 == 0, 60.0, 0.0),  # rare big orders: C, Z
        "SMALL": rng.poisson(2, 182).astype(float),
    }
    costs = pd.DataFrame({"sku": list(levels), "unit_cost": [1.0, 1.0, 1.0, 1.0]})
    classes = classify_series(history(levels), costs).set_index("sku")
    assert classes.at["BIG", "service_class"] == "AX"
    assert classes.at["MID", "abc"] == "B"
    assert classes.at["LUMPY", "xyz"] == "Z" and classes.at["LUMPY", "intermittent"]
    assert not classes.at["BIG", "intermittent"]


def test_targets_cover_every_class_and_stay_in_range():
    targets = ServiceTargets.from_settings(default_planning_settings())
    assert targets.of(pd.Series(["AX", "CZ"])).tolist() == [0.98, 0.90]
    with pytest.raises(ValueError, match="missing"):
        ServiceTargets({"AX": 0.99})
    with pytest.raises(ValueError, match=r"\[0\.5, 1\)"):
        ServiceTargets(
            {**ServiceTargets.from_settings(default_planning_settings()).targets, "AX": 1.0}
        )
