"""The forecast's drift checks say in words which inputs drifted and by how much."""

import pandas as pd

from orchestration.planning import _drift_check
from supplymesh.planning.model_lifecycle.drift import DriftConfig, DriftReport
from supplymesh.planning_settings import default_planning_settings

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

    check = _drift_check("feature_drift", report)

    assert not check.passed
    assert check.description == (
        "2 of 3 monitored columns drifted: lag_7 (PSI 0.412, KS 0.346), "
        "rolling_mean_28 (PSI 1.500, KS 0.610) (drift = PSI > 0.25, KS > 0.2, p < 0.01)"
    )


def test_a_passing_drift_check_says_nothing_drifted():
    check = _drift_check("target_drift", _report([("units_sold", 0.02, 0.05, 0.3, False)]))

    assert check.passed
    assert check.description.startswith("none of 1 monitored columns drifted")
