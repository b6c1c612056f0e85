"""When a training round is due: no champion, a failed drift or accuracy check that came after
the last round, enough new days of actuals; and the text saying why none is."""

import datetime as dt

import pandas as pd

from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.cadence import (
    CadenceConfig,
    CheckResult,
    new_actual_days,
    not_due_text,
    training_due,
    training_reasons,
)
from supplymesh.planning_settings import default_planning_settings
from tests.planning.model_lifecycle.test_model_registry import T0, card

CONFIG = CadenceConfig(retrain_after_days=28)
TRAINED_TO = dt.date(2026, 11, 27)  # ``card``'s training_as_of
AFTER, BEFORE = T0 + pd.Timedelta(hours=5), T0 - pd.Timedelta(hours=5)


def champion_registry(*later: tuple[str, str]) -> pd.DataFrame:
    """A promoted champion ``fm-a`` trained at ``T0``, then later rounds (version, action)."""
    registry = reg.record_decision(
        reg.add_candidate(reg.empty_registry(), card("fm-a")), "fm-a", "promote", "ok", "gate", T0
    )
    for i, (version, action) in enumerate(later, start=1):
        at = T0 + pd.Timedelta(hours=i)
        row = card(version, trained_at=at, training_as_of="2026-12-04")
        registry = reg.add_candidate(registry, row)
        registry = reg.record_decision(registry, version, action, "why", "gate", at)
    return registry


def test_no_champion_yet_is_due():
    reason = training_due(reg.empty_registry(), {}, TRAINED_TO, CONFIG)
    assert reason.kind == "no_champion" and str(reason) == "no champion yet"


def test_a_candidate_awaiting_approval_is_not_trained_again():
    registry = reg.record_decision(
        reg.add_candidate(reg.empty_registry(), card("fm-a")),
        "fm-a",
        "await_approval",
        "needs a person",
        "gate",
        T0,
    )
    assert training_due(registry, {}, TRAINED_TO, CONFIG) is None
    text = not_due_text(registry, TRAINED_TO, CONFIG, T0)
    assert "fm-a awaits approval" in text


def test_a_champion_with_passing_checks_and_few_new_days_keeps_serving():
    checks = {"feature_drift": CheckResult(True, AFTER), "target_drift": CheckResult(True, AFTER)}
    assert (
        training_due(champion_registry(), checks, TRAINED_TO + dt.timedelta(days=27), CONFIG)
        is None
    )


def test_a_failed_drift_check_after_the_last_round_is_due():
    checks = {"feature_drift": CheckResult(False, AFTER), "target_drift": CheckResult(True, AFTER)}
    reason = training_due(champion_registry(), checks, TRAINED_TO, CONFIG)
    assert reason.kind == "drift"
    assert str(reason) == "drift: check feature_drift failed"


def test_a_failed_accuracy_check_is_due():
    checks = {"beats_seasonal_naive": CheckResult(False, AFTER)}
    assert training_due(champion_registry(), checks, TRAINED_TO, CONFIG).kind == "accuracy"


def test_a_failure_judged_before_the_last_round_does_not_train_again():
    """The round that failure started already ran (even if its challenger lost)."""
    checks = {"feature_drift": CheckResult(False, BEFORE)}
    assert training_due(champion_registry(), checks, TRAINED_TO, CONFIG) is None
    late = {"feature_drift": CheckResult(False, T0 + pd.Timedelta(minutes=30))}
    assert training_due(champion_registry(("fm-b", "reject")), late, TRAINED_TO, CONFIG) is None


def test_enough_new_days_of_actuals_are_due():
    reason = training_due(champion_registry(), {}, TRAINED_TO + dt.timedelta(days=28), CONFIG)
    assert reason.kind == "new_actuals"
    assert str(reason) == "28 new days of actuals since the last training"


def test_new_days_count_from_the_latest_round_even_a_rejected_one():
    registry = champion_registry(("fm-b", "reject"))  # trained on data to 2026-12-04
    assert new_actual_days(registry, dt.date(2026, 12, 30)) == 26
    assert training_due(registry, {}, dt.date(2026, 12, 30), CONFIG) is None


def test_every_holding_reason_is_listed_most_pressing_first():
    checks = {
        "beats_seasonal_naive": CheckResult(False, AFTER),
        "target_drift": CheckResult(False, AFTER),
    }
    reasons = training_reasons(
        champion_registry(), checks, TRAINED_TO + dt.timedelta(days=40), CONFIG
    )
    assert [r.kind for r in reasons] == ["accuracy", "drift", "new_actuals"]


def test_the_text_names_the_champion_its_data_and_what_would_train():
    now = T0 + pd.Timedelta(days=3, hours=2)
    text = not_due_text(champion_registry(), TRAINED_TO + dt.timedelta(days=2), CONFIG, now)
    assert text == (
        "champion fm-a trained 3 days ago on data to 2026-11-27; next: drift/accuracy failure, "
        "28 new days (2 so far), the schedule (0 4 * * 1) or --retrain"
    )


def test_the_cadence_comes_from_the_planning_settings():
    config = CadenceConfig.from_settings(default_planning_settings())
    assert config == CadenceConfig(retrain_after_days=28, schedule="0 4 * * 1")
