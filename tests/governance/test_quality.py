"""Every publish is measured against the snapshot it replaces: row count change, null rates and
distribution shift (PSI), judged by the thresholds of the product's YAML."""

import math

import numpy as np
import pandas as pd
import pytest

from supplymesh.governance.quality import latest_metrics, measure_snapshot, psi, read_metrics
from supplymesh.registry import QualityThresholds, get_product

STOCK = get_product("inventory.stock_snapshots")


def test_psi_is_zero_for_the_same_distribution_and_grows_with_shift():
    even = [0.25] * 4
    assert psi(even, even) == 0
    small, large = psi(even, [0.3, 0.25, 0.25, 0.2]), psi(even, [0.7, 0.1, 0.1, 0.1])
    assert 0 < small < 0.1 < 0.25 < large
    expected = sum(
        (a - e) * math.log(a / e) for e, a in zip(even, [0.7, 0.1, 0.1, 0.1], strict=True)
    )
    assert large == pytest.approx(expected)


def snapshot(tmp_path, name: str, frame: pd.DataFrame, snapshot_id: str) -> dict:
    path = tmp_path / f"{name}.parquet"
    frame.to_parquet(path, index=False)
    return {"snapshot_id": snapshot_id, "path": str(path), "rows": len(frame)}


def stock(n: int, on_hand: np.ndarray, day="2026-01-01") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime([day] * n).date,
            "sku": [f"S{i % 40}" for i in range(n)],
            "location_id": [f"DC{i % 3}" for i in range(n)],
            "on_hand": on_hand,
            "on_order": np.zeros(n, dtype=int),
        }
    )


def by_key(metrics):
    return {(m.metric, m.column_name): m for m in metrics}


def test_first_publish_records_counts_and_null_rates_only(tmp_path):
    rng = np.random.default_rng(1)
    first = snapshot(tmp_path, "a", stock(500, rng.integers(0, 100, 500)), "s1")
    metrics = by_key(measure_snapshot(STOCK.latest, first, None, QualityThresholds(), "r1"))
    assert metrics[("row_count", None)].value == 500
    assert metrics[("null_rate", "on_hand")].value == 0
    assert not any(name in ("psi", "row_count_change") for name, _ in metrics)
    assert not any(m.breached for m in metrics.values())


def test_a_shifted_shrunken_batch_breaches_the_yaml_thresholds(tmp_path):
    rng = np.random.default_rng(2)
    thresholds = STOCK.governance.quality
    old = snapshot(tmp_path, "old", stock(1000, rng.integers(0, 100, 1000)), "s1")
    same = snapshot(tmp_path, "same", stock(1000, rng.integers(0, 100, 1000)), "s2")
    shifted = snapshot(tmp_path, "new", stock(600, rng.integers(400, 500, 600)), "s3")
    calm = by_key(measure_snapshot(STOCK.latest, same, old, thresholds, "r2"))
    assert calm[("psi", "on_hand")].value < 0.05 and not calm[("psi", "on_hand")].breached
    assert calm[("row_count_change", None)].value == 0
    drift = by_key(measure_snapshot(STOCK.latest, shifted, old, thresholds, "r3"))
    change, shift = drift[("row_count_change", None)], drift[("psi", "on_hand")]
    assert change.value == pytest.approx(-0.4) and change.threshold == 0.25 and change.breached
    assert shift.value > 1 and shift.threshold == 0.25 and shift.breached
    assert not drift[("psi", "location_id")].breached  # same categories, same shares
    assert ("psi", "snapshot_date") not in drift  # dates move on by design


def test_null_rate_threshold_comes_from_the_yaml():
    orders = get_product("sales.orders")
    assert orders.governance.quality.max_null_rate == {"promo_id": 0.98}
    assert STOCK.governance.partition_column == "snapshot_date"


def test_publishes_record_metrics_and_the_product_publishes_them(published):
    """Every source product published in the fixture has its metrics; they publish as a product."""
    from supplymesh.consumer import connect, run_query
    from supplymesh.governance.products import QUALITY_METRICS, quality_metrics_frame
    from supplymesh.publishing.publish import publish_frame

    metrics = read_metrics(published)
    assert {m["product"] for m in metrics} >= {"sales.orders", "inventory.stock_snapshots"}
    [row_count] = [
        m for m in latest_metrics(published, "sales.orders", 2) if m["metric"] == "row_count"
    ]
    assert row_count["value"] > 0
    result = publish_frame(QUALITY_METRICS, quality_metrics_frame(published), paths=published)
    assert result.published, result.report.summary()
    served = run_query(
        connect(published),
        "select count(*) n from governance.quality_metrics where product = 'sales.orders'",
    )
    assert served.n[0] == sum(m["product"] == "sales.orders" for m in metrics)


def test_thresholds_default_when_a_product_declares_none():
    quality = get_product("logistics.lanes").governance.quality
    assert (quality.severity, quality.max_psi, quality.max_row_count_change) == ("WARN", 0.25, 0.5)


def test_run_and_version_labels_are_not_measured_for_drift(tmp_path):
    """A new run id is no distribution shift; the metric mix next to it still is measured."""
    version = get_product("governance.quality_metrics").latest

    def frame(run_id: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "measured_at": pd.Timestamp("2026-01-01"),
                "product": "sales.orders",
                "major": 2,
                "snapshot_id": run_id,
                "previous_snapshot_id": None,
                "run_id": run_id,
                "metric": ["row_count", "null_rate", "psi"] * 10,
                "column_name": "sku",
                "value": np.arange(30, dtype=float),
                "threshold": 0.25,
                "breached": False,
            }
        )

    old = snapshot(tmp_path, "old", frame("run-1"), "s1")
    new = snapshot(tmp_path, "new", frame("run-2"), "s2")
    metrics = by_key(measure_snapshot(version, new, old, QualityThresholds(), "r"))
    assert ("psi", "metric") in metrics and not metrics[("psi", "metric")].breached
    assert ("psi", "run_id") not in metrics and ("psi", "snapshot_id") not in metrics
