"""The champion/challenger gate: each rule can refuse a challenger, and says why."""

from dataclasses import replace

import pytest

from supplymesh.planning.model_lifecycle.champion_challenger import (
    Evidence,
    PromotionPolicy,
    decide,
)
from supplymesh.planning_settings import default_planning_settings

GOOD = Evidence(
    canary_mase=0.70,
    backtest_mase=0.72,
    seasonal_naive_mase=1.05,
    bias_check_passed=True,
    bias_check_summary="worst region=NORTH 1.10",
    champion_version="fm-old",
    champion_canary_mase=0.80,
)

POLICY = PromotionPolicy.from_settings(default_planning_settings())


def _with(**changes) -> Evidence:
    return Evidence(**{**GOOD.__dict__, **changes})


def test_a_challenger_that_beats_the_champion_by_the_margin_is_promoted():
    decision = decide(GOOD, replace(POLICY, margin=0.02))
    assert decision.action == "promote"
    assert "fm-old" in decision.reason and "12.5%" in decision.reason


def test_the_first_model_is_promoted_without_a_champion():
    decision = decide(_with(champion_version=None, champion_canary_mase=None), POLICY)
    assert decision.action == "promote" and "first model" in decision.reason


def test_an_improvement_below_the_margin_is_rejected():
    # 0.79 vs 0.80 is 1.25 % better: not enough for a 2 % margin, enough for 1 %
    close = _with(canary_mase=0.79)
    rejected = decide(close, replace(POLICY, margin=0.02))
    assert rejected.action == "reject" and "below the 2.0% margin" in rejected.reason
    assert decide(close, replace(POLICY, margin=0.01)).action == "promote"


def test_a_worse_challenger_is_rejected():
    assert decide(_with(canary_mase=0.85), replace(POLICY, margin=0.0)).action == "reject"


def test_a_challenger_failing_the_bias_check_is_rejected_however_accurate():
    biased = _with(canary_mase=0.30, bias_check_passed=False, bias_check_summary="region=EAST 2.1x")
    decision = decide(biased, POLICY)
    assert decision.action == "reject"
    assert "bias check" in decision.reason and "EAST" in decision.reason


def test_a_challenger_not_beating_seasonal_naive_is_rejected_even_as_first_model():
    weak = _with(backtest_mase=1.10, champion_version=None, champion_canary_mase=None)
    decision = decide(weak, POLICY)
    assert decision.action == "reject" and "seasonal naive" in decision.reason


@pytest.mark.parametrize("champion", ["fm-old", None])
def test_with_approval_required_a_passing_challenger_waits_for_a_human(champion):
    evidence = _with(champion_version=champion, champion_canary_mase=0.8 if champion else None)
    decision = decide(evidence, replace(POLICY, require_approval=True))
    assert decision.action == "await_approval" and "awaiting human approval" in decision.reason


def test_with_approval_required_a_failing_challenger_is_still_rejected():
    biased = _with(bias_check_passed=False)
    assert decide(biased, replace(POLICY, require_approval=True)).action == "reject"


def test_the_champions_recipe_retrained_on_newer_data_is_a_refresh():
    refresh = _with(canary_mase=0.80, same_recipe=True, newer_data=True)
    decision = decide(refresh, replace(POLICY, margin=0.02))
    assert decision.action == "promote" and decision.reason.startswith("refresh")
    waiting = decide(refresh, replace(POLICY, require_approval=True))
    assert waiting.action == "await_approval"


def test_the_same_recipe_on_the_same_data_is_rejected():
    decision = decide(_with(canary_mase=0.80, same_recipe=True), POLICY)
    assert decision.action == "reject" and "nothing new" in decision.reason


def test_a_refresh_still_has_to_pass_the_bias_check():
    biased = _with(same_recipe=True, newer_data=True, bias_check_passed=False)
    assert decide(biased, POLICY).action == "reject"


def test_the_forecasters_figures_are_evidence_in_the_reason_not_a_rule():
    strong = _with(forecaster_backtest_mase=0.5, forecaster_p90_coverage=0.9)
    decision = decide(strong, replace(POLICY, margin=0.02))
    assert decision.action == "promote"
    assert "forecaster backtest MASE 0.5000 (P90 coverage 0.900)" in decision.reason
    # a forecaster far better than the model does not rescue a model that loses the canary
    losing = _with(canary_mase=0.79, forecaster_backtest_mase=0.1, forecaster_p90_coverage=0.9)
    assert decide(losing, replace(POLICY, margin=0.02)).action == "reject"
