"""The bias check judges every region and category against the overall error, and fails on a
segment made worse on purpose."""

from dataclasses import replace

import numpy as np
import pandas as pd

from supplymesh.planning.model_lifecycle.segments import SegmentCheckConfig, check_segments
from supplymesh.planning_settings import default_planning_settings

SEGMENTS = SegmentCheckConfig.from_settings(default_planning_settings())


def scored(noise_by_region: dict[str, float], n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for region, noise in noise_by_region.items():
        for category in ("dairy", "snacks"):
            actual = rng.poisson(20, n).astype(float)
            rows.append(
                pd.DataFrame(
                    {
                        "region": region,
                        "category": category,
                        "actual": actual,
                        "p50": actual * (1 + rng.normal(0, noise, n)),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_even_errors_pass():
    check = check_segments(scored({"NORTH": 0.2, "SOUTH": 0.2, "EAST": 0.2}), SEGMENTS)
    assert check.passed and check.failures == []
    assert set(check.table["dimension"]) == {"region", "category"}
    assert check.table["error_ratio"].between(0.8, 1.2).all()


def test_a_region_forecast_much_worse_fails_and_is_named():
    check = check_segments(scored({"NORTH": 0.1, "SOUTH": 0.1, "EAST": 0.6}), SEGMENTS)
    assert not check.passed and check.measure == "WAPE"
    assert len(check.failures) == 1 and check.failures[0].startswith("region=EAST")
    assert check.worst[0] == "region=EAST" and check.worst[1] > 1.5


def test_the_bound_is_configurable():
    frame = scored({"NORTH": 0.1, "SOUTH": 0.1, "EAST": 0.6})
    assert check_segments(frame, replace(SEGMENTS, max_error_ratio=3.0)).passed


def test_a_biased_category_fails_even_when_regions_look_fine():
    frame = scored({"NORTH": 0.1, "SOUTH": 0.1})
    snacks = frame["category"] == "snacks"
    frame.loc[snacks, "p50"] = frame.loc[snacks, "actual"] * 1.6  # 60 % over-forecast
    check = check_segments(frame, SEGMENTS)
    assert [f.split(":")[0] for f in check.failures] == ["category=snacks"]
    row = check.table.set_index(["dimension", "segment"]).loc[("category", "snacks")]
    assert row["bias"] > 0.5


def test_a_segment_with_almost_no_volume_is_reported_not_judged():
    frame = scored({"NORTH": 0.1, "SOUTH": 0.1})
    tiny = pd.DataFrame({"region": "WEST", "category": "dairy", "actual": [1.0], "p50": [9.0]})
    check = check_segments(pd.concat([frame, tiny], ignore_index=True), SEGMENTS)
    west = check.table.set_index(["dimension", "segment"]).loc[("region", "WEST")]
    assert west["error_ratio"] > 10 and not west["judged"]
    assert check.passed


def test_with_mase_scales_a_noisy_but_well_forecast_segment_passes():
    """Small items err more in units per unit sold (WAPE), not relative to their own noise."""
    rng = np.random.default_rng(4)
    rows = []
    for category, level in (("grocery", 200.0), ("drug", 3.0)):
        for i in range(30):
            actual = rng.poisson(level, 60).astype(float)
            forecast = np.full(60, level)
            naive_error = np.mean(np.abs(np.diff(rng.poisson(level, 200)))) or 1.0
            rows.append(
                pd.DataFrame(
                    {
                        "sku": f"{category}{i}",
                        "location_id": "DC1",
                        "region": "NORTH",
                        "category": category,
                        "actual": actual,
                        "p50": forecast,
                        "scaled_error": np.abs(forecast - actual) / naive_error,
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True)
    by_wape = check_segments(frame.drop(columns="scaled_error"), replace(SEGMENTS, min_share=0.0))
    assert not by_wape.passed  # drug's WAPE is many times the total's
    by_mase = check_segments(frame, replace(SEGMENTS, min_share=0.0))
    assert by_mase.measure == "MASE" and by_mase.passed


def test_a_segment_of_one_item_is_reported_not_judged():
    frame = scored({"NORTH": 0.1, "SOUTH": 0.1, "EAST": 0.6})
    frame["sku"] = np.where(frame["region"] == "EAST", "ONLY", frame.index.astype(str))
    frame["location_id"] = "DC1"
    check = check_segments(frame, SEGMENTS)
    east = check.table.set_index(["dimension", "segment"]).loc[("region", "EAST")]
    assert east["n_series"] == 1 and not east["judged"] and check.passed


def skill_frame(model_factor: dict[str, float], naive_factor: dict[str, float]) -> pd.DataFrame:
    """Per category: scaled errors of the model and of seasonal naive (20 series each)."""
    rng = np.random.default_rng(7)
    rows = []
    for category in model_factor:
        for i in range(20):
            base = rng.uniform(0.5, 1.0, 50)
            rows.append(
                pd.DataFrame(
                    {
                        "sku": f"{category}{i}",
                        "location_id": "DC1",
                        "region": "NORTH",
                        "category": category,
                        "actual": 10.0,
                        "p50": 10.0 + base,
                        "scaled_error": base * model_factor[category],
                        "naive_scaled_error": base * naive_factor[category] * 1.5,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_a_hard_category_is_not_failed_for_being_hard():
    # frozen: both the model and seasonal naive err twice as much there (strong seasonality)
    check = check_segments(
        skill_frame({"dairy": 1.0, "frozen": 2.0}, {"dairy": 1.0, "frozen": 2.0}), SEGMENTS
    )
    assert check.measure == "relative MASE" and check.passed


def test_a_category_the_model_serves_worse_than_naive_does_fails():
    check = check_segments(
        skill_frame({"dairy": 0.5, "frozen": 2.0}, {"dairy": 1.0, "frozen": 1.0}), SEGMENTS
    )
    assert not check.passed and check.failures[0].startswith("category=frozen")
