"""PSI and KS drift checks: silent on the same distribution, loud on a shifted one."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.model_lifecycle.drift import (
    DriftConfig,
    DriftReport,
    feature_drift,
    psi,
    target_drift,
)
from supplymesh.planning_settings import default_planning_settings

DRIFT = DriftConfig.from_settings(default_planning_settings())


def test_psi_is_zero_on_the_same_sample_and_large_on_a_shift():
    rng = np.random.default_rng(0)
    ref = rng.normal(10, 2, 5000)
    assert psi(ref, ref) == pytest.approx(0.0, abs=1e-9)
    assert psi(ref, rng.normal(10, 2, 5000)) < 0.05
    assert psi(ref, rng.normal(14, 2, 5000)) > 1.0


def test_feature_drift_flags_only_the_shifted_input():
    rng = np.random.default_rng(1)
    reference = pd.DataFrame(
        {"lag_28": rng.gamma(4, 2, 5000), "discount_pct": rng.uniform(0, 0.3, 5000)}
    )
    current = pd.DataFrame(
        {"lag_28": rng.gamma(4, 2, 2000) * 2.0, "discount_pct": rng.uniform(0, 0.3, 2000)}
    )
    report = feature_drift(reference, current, DRIFT)
    assert not report.passed and report.drifted == ["lag_28"]
    same = feature_drift(reference, reference.sample(2000, random_state=0), DRIFT)
    assert same.passed


def test_calendar_columns_are_not_monitored():
    reference = pd.DataFrame({"day_of_year": np.arange(1, 366), "lag_28": np.ones(365)})
    current = pd.DataFrame({"day_of_year": np.arange(330, 358), "lag_28": np.ones(28)})
    assert list(feature_drift(reference, current, DRIFT).table["column"]) == ["lag_28"]


def test_target_drift_needs_both_measures_and_significance():
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({"units_sold": rng.poisson(10, 5000).astype(float)})
    assert target_drift(reference, pd.DataFrame({"units_sold": rng.poisson(10, 800)}), DRIFT).passed
    shifted = pd.DataFrame({"units_sold": rng.poisson(25, 800).astype(float)})
    assert not target_drift(reference, shifted, DRIFT).passed
    # a few ordinary values are not significant evidence of anything
    assert target_drift(reference, pd.DataFrame({"units_sold": [9.0, 14.0, 7.0]}), DRIFT).passed
    loose = replace(DRIFT, max_psi=100.0)
    assert target_drift(reference, shifted, loose).passed


def test_origin_features_count_once_per_series():
    rng = np.random.default_rng(5)
    reference = pd.DataFrame({"recent_mean_28": rng.gamma(4, 2, 5000)})
    # 12 series from the reference's own distribution, each level repeated over a horizon
    levels = rng.gamma(4, 2, 12)
    current = pd.DataFrame(
        {
            "sku": np.repeat([f"S{i}" for i in range(12)], 28),
            "location_id": "DC1",
            "recent_mean_28": np.repeat(levels, 28),
        }
    )
    per_series = feature_drift(reference, current, DRIFT)
    per_row = feature_drift(reference, current.drop(columns=["sku", "location_id"]), DRIFT)
    assert per_series.table["ks"].iloc[0] == pytest.approx(per_row.table["ks"].iloc[0])
    assert per_series.table["ks_pvalue"].iloc[0] > 0.05  # 12 observations: no evidence
    assert per_row.table["ks_pvalue"].iloc[0] < 0.01  # 336 copies would look significant
    assert per_series.passed and not per_row.passed


def _report(rows: list[tuple]) -> DriftReport:
    table = pd.DataFrame(rows, columns=["column", "psi", "ks", "ks_pvalue", "drifted"])
    return DriftReport(table, DRIFT, table.loc[table["drifted"], "column"].tolist())


def test_a_drift_report_names_the_drifted_features_with_psi_and_ks():
    report = _report(
        [
            ("lag_7", 0.4123, 0.3456, 1e-6, True),
            ("discount_pct", 0.01, 0.02, 0.5, False),
            ("rolling_mean_28", 1.5, 0.61, 0.0, True),
        ]
    )
    assert report.describe() == (
        "2 of 3 monitored columns drifted: lag_7 (PSI 0.412, KS 0.346), "
        "rolling_mean_28 (PSI 1.500, KS 0.610) (drift = PSI > 0.25, KS > 0.2, p < 0.01)"
    )


def test_a_drift_report_without_drift_says_nothing_drifted():
    report = _report([("units_sold", 0.02, 0.05, 0.3, False)])
    assert report.describe().startswith("none of 1 monitored columns drifted")


def test_a_drift_report_without_columns_says_so():
    assert _report([]).describe() == "no monitored column to compare"
