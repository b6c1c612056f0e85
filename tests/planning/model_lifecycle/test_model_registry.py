"""The model registry's life cycle: candidates, the gate's verdicts, the human approval gate,
artifacts that cannot be swapped, and the contract that guards every published state."""

import dataclasses
import json
import subprocess
import sys

import pandas as pd
import pytest

from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.training import params_from_json
from supplymesh.planning_inputs import published_model_registry
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import publish_frame
from supplymesh.settings import PROJECT_ROOT, MeshPaths

T0 = pd.Timestamp("2026-11-27 06:00:00")


def card(version: str, **extra) -> dict:
    base = {
        "model_version": version,
        "trained_at": T0,
        "training_as_of": "2026-11-27",
        "training_snapshots": "{}",
        "training_rows": 1000,
        "params": "{}",
        "feature_importances": "{}",
        "backtest_origins": 4,
        "backtest_mase": 0.7,
        "backtest_mase_total": 0.5,
        "backtest_wape": 0.4,
        "backtest_bias": -0.02,
        "backtest_p90_coverage": 0.88,
        "seasonal_naive_mase": 1.0,
        "moving_average_mase": 0.9,
        "canary_window_start": "2026-10-31",
        "canary_mase": 0.7,
        "bias_check_passed": True,
        "search_seconds": 1.0,
        "backtest_seconds": 2.0,
        "fit_seconds": 0.5,
        "artifact_path": f"/nowhere/{version}/model.pkl",
        "artifact_sha256": "0" * 64,
    }
    return {**base, **extra}


def registry_with(*steps: tuple[str, str]) -> pd.DataFrame:
    """Candidates added and decided in order: (version, action)."""
    registry = reg.empty_registry()
    for i, (version, action) in enumerate(steps):
        registry = reg.add_candidate(registry, card(version))
        registry = reg.record_decision(
            registry, version, action, f"because {action}", "gate", T0 + pd.Timedelta(hours=i)
        )
    return registry


def status(registry: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {r.model_version: (r.status, r.decision) for r in registry.itertuples()}


def test_promotion_retires_the_previous_champion():
    registry = registry_with(("m1", "promote"), ("m2", "promote"))
    assert status(registry) == {"m1": ("retired", "replaced"), "m2": ("champion", "promoted")}
    assert reg.champion(registry)["model_version"] == "m2"
    assert pd.notna(registry.set_index("model_version").at["m1", "retired_at"])


def test_a_rejected_challenger_never_serves():
    registry = registry_with(("m1", "promote"), ("m2", "reject"))
    assert status(registry)["m2"] == ("retired", "rejected")
    assert reg.champion(registry)["model_version"] == "m1"


def test_approval_gate_keeps_the_champion_until_a_named_human_approves():
    registry = registry_with(("m1", "promote"), ("m2", "await_approval"))
    assert reg.champion(registry)["model_version"] == "m1"
    assert status(registry)["m2"] == ("candidate", "awaiting_approval")
    approved = reg.approve(registry, "m2", "Ada Lovelace", T0 + pd.Timedelta(days=1))
    row = approved.set_index("model_version").loc["m2"]
    assert (row["status"], row["decision"]) == ("champion", "approved")
    assert row["approved_by"] == "Ada Lovelace" and row["promoted_by"] == "human:Ada Lovelace"
    assert row["approved_at"] == T0 + pd.Timedelta(days=1)
    assert status(approved)["m1"] == ("retired", "replaced")


@pytest.mark.parametrize(
    ("steps", "version"),
    [
        ((("m1", "promote"),), "m1"),  # already the champion
        ((("m1", "reject"),), "m1"),  # rejected by the gate
        ((("m1", "promote"), ("m2", "promote")), "m1"),  # retired
        ((("m1", "await_approval"),), "m9"),  # unknown version
    ],
)
def test_only_a_candidate_awaiting_approval_can_be_approved(steps, version):
    with pytest.raises(reg.RegistryError):
        reg.approve(registry_with(*steps), version, "Ada", T0)


def test_an_approval_without_a_name_is_refused():
    with pytest.raises(reg.RegistryError, match="approver"):
        reg.approve(registry_with(("m1", "await_approval")), "m1", "  ", T0)


def test_a_newer_candidate_supersedes_one_still_waiting():
    registry = registry_with(("m1", "await_approval"), ("m2", "await_approval"))
    assert status(registry) == {
        "m1": ("retired", "superseded"),
        "m2": ("candidate", "awaiting_approval"),
    }


def test_a_waiting_candidate_can_be_turned_down():
    registry = reg.reject_pending(
        registry_with(("m1", "await_approval")), "m1", "Bob", "bias in EAST", T0
    )
    assert status(registry)["m1"] == ("retired", "rejected")
    assert registry.loc[0, "decided_by"] == "human:Bob"


def test_a_decided_candidate_cannot_be_decided_again():
    with pytest.raises(reg.RegistryError, match="already decided"):
        reg.record_decision(registry_with(("m1", "reject")), "m1", "promote", "x", "gate", T0)


def test_an_artifact_swapped_after_registration_is_refused(tmp_path, forecast_and_model):
    _, model = forecast_and_model
    paths = MeshPaths(tmp_path)
    predictions = pd.DataFrame({"origin": [T0]})
    path, sha = reg.save_artifacts(paths, "m1", model, predictions, pd.DataFrame({"x": [1.0]}))
    row = pd.Series({"model_version": "m1", "artifact_path": str(path), "artifact_sha256": sha})
    assert reg.load_model(row).feature_names == model.feature_names
    other = dataclasses.replace(model.params, max_iter=1)
    model.params, original = other, model.params
    try:
        reg.save_artifacts(paths, "m1", model, predictions, pd.DataFrame({"x": [1.0]}))
    finally:
        model.params = original
    with pytest.raises(reg.RegistryError, match="does not match its hash"):
        reg.load_model(row)


def test_the_registry_contract_refuses_two_champions(tmp_path):
    paths = MeshPaths(tmp_path)
    good = registry_with(("m1", "promote"), ("m2", "await_approval"))
    assert publish_frame(reg.PRODUCT, good, paths=paths).published
    broken = good.copy()
    broken.loc[broken["model_version"] == "m2", "status"] = "champion"
    result = publish_frame(reg.PRODUCT, broken, paths=paths)
    assert not result.published
    assert [r.rule for r in result.report.failures] == ["at most one champion"]
    served = current_snapshot(read_manifest(paths), reg.PRODUCT, 1)
    assert pd.read_parquet(served["path"])["status"].tolist() == ["champion", "candidate"]
    assert published_model_registry(paths)["model_version"].tolist() == [
        "m1",
        "m2",
    ]


def test_the_registry_contract_refuses_an_approval_without_approver(tmp_path):
    paths = MeshPaths(tmp_path)
    approved = reg.approve(registry_with(("m1", "await_approval")), "m1", "Ada", T0)
    approved.loc[0, "approved_by"] = None
    assert not publish_frame(reg.PRODUCT, approved, paths=paths).published


def test_params_round_trip_through_the_registry_json():
    params = ForecastParams(learning_rate=0.05, max_leaf_nodes=15)
    again = params_from_json(json.dumps(params.recipe()))
    assert again.recipe() == params.recipe()


def test_registry_columns_are_the_contracts_columns_in_order():
    from contracts.ml.forecast_models_v1 import ForecastModelsV1

    contract_columns = list(ForecastModelsV1.to_schema().columns)
    assert contract_columns == reg.REGISTRY_COLUMNS
    assert list(reg.empty_registry().columns) == contract_columns
    ForecastModelsV1.validate(reg.empty_registry())


def test_reading_the_registry_and_the_cadence_imports_no_model_stack() -> None:
    """`mesh forecast approve` and the training cadence read the registry: scikit-learn's
    import (2-3 s) waits for a model's first use."""
    code = (
        "import sys\n"
        "from supplymesh.planning.model_lifecycle import cadence, drift, model_registry\n"
        "print(sorted(m for m in ('sklearn', 'statsforecast', 'matplotlib') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
