"""A champion/challenger round on a real (tiny) challenger: the first model is decided on with
no champion to beat, its decision and artifacts land in the registry, the publish step runs under
the registry's lock, and the same recipe on the same data is not promoted twice."""

import json
import time
from dataclasses import replace

import pandas as pd
import pytest

from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.challenger_round import (
    RegistryStore,
    RoundOutcome,
    gather_evidence,
    settle_round,
)
from supplymesh.planning.model_lifecycle.champion_challenger import PromotionPolicy
from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger
from supplymesh.planning_inputs import published_model_registry, training_snapshot_ids
from supplymesh.planning_settings import default_planning_settings
from supplymesh.publishing.publish import publish_frame
from supplymesh.settings import MeshPaths
from tests.planning.synthetic import make_features

FAST = ForecastParams(horizon=14, max_iter=40, p90_max_iter=30)
SETTINGS = default_planning_settings().updated(
    {
        "forecast": {"horizon_days": 14},
        "backtest": {"origins": 2},
        "model": {"search_enabled": False},
    },
    "test",
)
TRAINING = replace(TrainingConfig.from_settings(SETTINGS, FAST), importance_repeats=1)


@pytest.fixture(scope="module")
def features():
    return make_features(n_skus=4, n_locations=2, history_days=300, seed=11)


@pytest.fixture(scope="module")
def challenger(features):
    return train_challenger(features, TRAINING)


def _store(paths: MeshPaths, publish=None) -> RegistryStore:
    """What the asset passes: the published registry, and (by default) publish it under the
    lock, here without the audit."""

    def publish_registry(outcome: RoundOutcome) -> bool:
        return publish_frame(reg.PRODUCT, outcome.registry, paths=paths, run_id="test").published

    return RegistryStore(
        lambda: published_model_registry(paths),
        publish or publish_registry,
        training_snapshot_ids(paths),
    )


def test_a_first_round_records_the_challenger_and_its_decision(tmp_path, features, challenger):
    paths = MeshPaths(tmp_path)
    seen: list[RoundOutcome] = []
    outcome, returned = settle_round(
        paths,
        features,
        challenger,
        TRAINING,
        PromotionPolicy.from_settings(SETTINGS),
        _store(paths, lambda o: seen.append(o) or 7),
    )
    assert returned == 7 and seen == [outcome]
    row = outcome.registry[outcome.registry["model_version"] == outcome.version].iloc[0]
    recorded = {"promote": "promoted", "reject": "rejected"}[outcome.decision.action]
    assert row["decision"] == recorded
    assert row["decision_reason"] == outcome.decision.reason
    assert outcome.evidence.champion_version is None
    assert outcome.evidence.canary_mase == pytest.approx(challenger.canary_mase())
    if outcome.decision.action == "promote":
        assert "first model: no champion to beat" in outcome.decision.reason
        assert outcome.serving_version == outcome.version
        assert outcome.audit_event == "model_promotion"
    assert reg.load_model(row).n_train_rows == challenger.model.n_train_rows  # hash checked
    assert set(outcome.backtest_table()["model_version"]) == {outcome.version}


def test_approval_required_waits_for_a_human(tmp_path, features, challenger):
    outcome, _ = settle_round(
        MeshPaths(tmp_path),
        features,
        challenger,
        TRAINING,
        PromotionPolicy.from_settings(SETTINGS, force_approval=True),
        _store(MeshPaths(tmp_path), lambda o: None),
    )
    if outcome.evidence.backtest_mase < outcome.evidence.seasonal_naive_mase:
        assert outcome.decision.action == "await_approval"
        assert outcome.serving_version is None
        assert outcome.audit_event == "model_approval_requested"


def test_the_same_recipe_on_the_same_data_is_not_promoted_again(tmp_path, features, challenger):
    paths = MeshPaths(tmp_path)
    first, published = settle_round(
        paths,
        features,
        challenger,
        TRAINING,
        PromotionPolicy.from_settings(SETTINGS),
        _store(paths),
    )
    assert published
    if first.decision.action != "promote":
        pytest.skip("the tiny challenger did not beat the seasonal naive")
    time.sleep(1.1)  # versions are stamped to the second
    second, _ = settle_round(
        paths,
        features,
        challenger,
        TRAINING,
        PromotionPolicy.from_settings(SETTINGS),
        _store(paths),
    )
    assert second.evidence.champion_version == first.version
    assert second.evidence.same_recipe and not second.evidence.newer_data
    assert second.decision.action == "reject"
    assert second.serving_version == first.version
    assert second.audit_details()["champion"] == first.version
    assert len(second.registry) == 2


def test_a_champion_recorded_before_lost_sales_were_imputed_did_not_impute(challenger):
    """Its recipe lacks ``impute_lost_sales``: it did not impute, so against a challenger that
    imputes (the default) it is another recipe, and the same one once the key says so."""
    recipe = json.loads(str(challenger.card()["params"]))
    assert recipe["impute_lost_sales"] is True
    old = {k: v for k, v in recipe.items() if k != "impute_lost_sales"}
    champion = pd.Series(
        {"model_version": "fm-old", "params": json.dumps(old), "training_snapshots": "{}"}
    )
    assert not gather_evidence(challenger, champion, 0.8, {}).same_recipe
    imputing = pd.Series({**champion, "params": json.dumps({**old, "impute_lost_sales": True})})
    assert gather_evidence(challenger, imputing, 0.8, {}).same_recipe


def test_the_round_keeps_the_forecaster_in_the_card_the_artifact_and_the_backtest(
    tmp_path, features, challenger
):
    from contracts.ml.forecast_backtest_v1 import METHODS as V1_METHODS
    from contracts.ml.forecast_backtest_v1 import ForecastBacktestV1
    from contracts.ml.forecast_backtest_v2 import ForecastBacktestV2
    from supplymesh.planning.forecast_choice.stored_choice import choice_from_json

    paths = MeshPaths(tmp_path)
    outcome, published = settle_round(
        paths,
        features,
        challenger,
        TRAINING,
        PromotionPolicy.from_settings(SETTINGS),
        _store(paths),
    )
    assert published  # the registry with the forecaster's columns passes its contract
    row = outcome.registry[outcome.registry["model_version"] == outcome.version].iloc[0]
    scores = challenger.forecaster.scores()
    assert row["forecaster_backtest_mase"] == pytest.approx(scores["forecaster"].mase)
    assert 0.0 <= row["forecaster_p90_coverage"] <= 1.0
    evidence = json.loads(row["forecaster_choice"])
    assert "all" in evidence["by_class"] and evidence["warm_up_origins"]
    assert outcome.evidence.forecaster_backtest_mase == pytest.approx(scores["forecaster"].mase)
    saved = choice_from_json(reg.load_final_choice(row))
    assert saved.by_class.keys() == challenger.forecaster.final.by_class.keys()
    table = ForecastBacktestV2.validate(outcome.backtest_table())
    assert {"model", "forecaster", *challenger.backtest.peers} <= set(table["method"])
    forecaster_rows = table[table["method"] == "forecaster"]
    assert list(forecaster_rows["level"]) == ["overall"] + ["origin"] * len(
        challenger.forecaster.selection.scored_origins
    )
    old = ForecastBacktestV1.validate(outcome.backtest_table(V1_METHODS))
    assert set(old["method"]) == set(V1_METHODS)
