"""The forecast's drift checks say in words which inputs drifted and by how much."""

import dagster as dg
import pandas as pd

from orchestration.planning.checks import drift_check, invariant_check
from supplymesh.planning.model_lifecycle.drift import DriftConfig, DriftReport
from supplymesh.planning_settings import default_planning_settings

FORECAST = dg.AssetKey(["planning", "demand_forecast_v1"])
COLUMNS = ["column", "psi", "ks", "ks_pvalue", "drifted"]


def _report(rows: list[tuple]) -> DriftReport:
    table = pd.DataFrame(rows, columns=COLUMNS)
    return DriftReport(
        table,
        DriftConfig.from_settings(default_planning_settings()),
        table.loc[table["drifted"], "column"].tolist(),
    )


def test_a_failing_drift_check_names_the_drifted_features_with_psi_and_ks():
    report = _report(
        [
            ("lag_7", 0.4123, 0.3456, 1e-6, True),
            ("discount_pct", 0.01, 0.02, 0.5, False),
            ("rolling_mean_28", 1.5, 0.61, 0.0, True),
        ]
    )

    check = drift_check(FORECAST, "feature_drift", report)

    assert not check.passed
    assert check.description == (
        "2 of 3 monitored columns drifted: lag_7 (PSI 0.412, KS 0.346), "
        "rolling_mean_28 (PSI 1.500, KS 0.610) (drift = PSI > 0.25, KS > 0.2, p < 0.01)"
    )


def test_a_passing_drift_check_says_nothing_drifted():
    check = drift_check(FORECAST, "target_drift", _report([("units_sold", 0.02, 0.05, 0.3, False)]))

    assert check.passed
    assert check.description.startswith("none of 1 monitored columns drifted")


def test_an_invariant_check_fails_with_the_count_and_a_sample_of_violations():
    key = dg.AssetKey(["planning", "inventory_plan_v1"])
    violations = [f"SKU{i:04d}@DC01: order not a whole case" for i in range(25)]

    check = invariant_check("policy_invariants", key, violations)

    assert not check.passed
    assert check.metadata["violations"].value == 25
    sample = check.metadata["sample"].value
    assert sample.count("\n- ") == 19 and "SKU0019" in sample and "SKU0020" not in sample
    assert invariant_check("policy_invariants", key, []).passed
