"""The demand model trains on its own cadence: the first run trains (no champion yet), a second
run trains nothing and says why, a failed drift check makes the next run train, and
``mesh forecast train`` trains on request. Real runs of the Dagster job on a tiny world."""

import dagster as dg
import pytest

from orchestration.ml.cadence import REASON_TAG
from supplymesh.cli import main
from supplymesh.headless import materialize, plan_training
from supplymesh.planning_inputs import published_model_registry

FORECAST_ONLY = ['key:"planning/demand_forecast_v1"']
# drift bounds no real data stays under: both PSI and KS exceed them, so the checks fail
NO_DRIFT_ALLOWED = ["forecast.drift_max_psi=0.000001", "forecast.drift_max_ks=0.000001"]


def _trained(outcome) -> bool:
    return any("ml/forecast_models_v1" in line for line in outcome.lines)


def _run_tag(run_id: str) -> str:
    with dg.DagsterInstance.get() as instance:
        return instance.get_run_by_id(run_id).tags[REASON_TAG]


@pytest.fixture(scope="module")
def trained_mesh(published_mesh):
    """The session's tiny world (tests/orchestration/conftest.py): its first run trained, since
    no champion served; the runs of test_mesh_run since then trained nothing."""
    return published_mesh


def test_the_first_run_trains_because_no_champion_serves(trained_mesh):
    paths, outcome = trained_mesh
    assert outcome.success, outcome.errors
    assert outcome.model_line == "model: trained (no champion yet)"
    assert _trained(outcome)
    assert len(published_model_registry(paths)) == 1
    assert _run_tag(outcome.run_id) == "trained: no champion yet"


def test_a_second_run_trains_nothing_and_says_why(trained_mesh, capsys):
    paths, _ = trained_mesh
    before = published_model_registry(paths)
    assert main(["materialize"]) == 0
    out = capsys.readouterr().out
    champion = before["model_version"].iloc[0]
    line = next(x for x in out.splitlines() if x.startswith("model: "))
    assert line.startswith(f"model: not trained (champion {champion} trained ")
    assert "on data to 2026-11-27; next: drift/accuracy failure, 28 new days (0 so far)" in line
    assert "materialized ml/" not in out
    assert "materialized planning/demand_forecast_v1" in out
    assert published_model_registry(paths).equals(before)


@pytest.mark.slow  # a forecast run, then a whole-mesh run that trains: 143 s at load 6
def test_a_failed_drift_check_makes_the_next_run_train(trained_mesh):
    paths, _ = trained_mesh
    before = len(published_model_registry(paths))
    drifted = materialize(FORECAST_ONLY, settings=NO_DRIFT_ALLOWED)
    assert drifted.success, drifted.errors
    assert any("feature_drift" in line for line in drifted.lines if "check FAILED" in line)
    assert drifted.model_line == "model: not trained (not in the selection)"

    outcome = materialize([])
    assert outcome.success, outcome.errors
    assert outcome.model_line.startswith("model: trained (drift: check ")
    assert _trained(outcome)
    assert len(published_model_registry(paths)) == before + 1


def test_forecast_train_publishes_a_candidate(trained_mesh, capsys):
    paths, _ = trained_mesh
    before = published_model_registry(paths)
    assert main(["forecast", "train"]) == 0
    out = capsys.readouterr().out
    after = published_model_registry(paths)
    assert len(after) == len(before) + 1
    new = after.loc[~after["model_version"].isin(before["model_version"])].iloc[0]
    assert "model: trained (asked: mesh forecast train)" in out
    assert f"candidate {new['model_version']}: " in out
    assert new["decision"] in {"promoted", "rejected", "awaiting_approval"}


MODELS = dg.AssetKey(["ml", "forecast_models_v1"])
FORECAST = dg.AssetKey(["planning", "demand_forecast_v1"])


def test_retrain_adds_the_training_assets_whatever_the_selection():
    keys, plan = plan_training(
        None, {FORECAST}, {MODELS}, False, "mesh materialize --retrain", None
    )
    assert keys == {FORECAST, MODELS}
    assert plan.line(None) == "model: trained (asked: mesh materialize --retrain)"


def test_a_selection_trains_only_when_it_names_the_training_assets():
    keys, plan = plan_training(None, {FORECAST}, {MODELS}, False, "", None)
    assert keys == {FORECAST} and plan.line(None) == "model: not trained (not in the selection)"
    keys, plan = plan_training(None, {MODELS}, {MODELS}, False, "", None)
    assert keys == {MODELS} and plan.line(None) == "model: trained (asked: selected)"
