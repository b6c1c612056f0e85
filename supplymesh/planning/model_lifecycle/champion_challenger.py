"""The champion/challenger gate: may a newly trained model replace the serving one?

The challenger and the champion's recipe are scored on the same latest window (the last
backtest origin: both refit on the same history up to it, both forecast the same held-out days,
an A/B on identical data). The challenger is promoted only if, in order:

1. it beats the seasonal-naive baseline on the backtest (a model that does not is no model);
2. it passes the bias check (no region or category much worse than the whole);
3. its canary MASE beats the champion's by at least ``margin`` (relative), or there is no
   champion yet; a challenger with the champion's own recipe trained on newer data is a
   *refresh* and needs no margin (the margin guards against recipe changes that win by noise,
   while a recipe that is never retrained goes stale); the same recipe on the same data has
   nothing to offer and is rejected;
4. and, when ``require_approval`` is set, a named human approves it (``mesh forecast approve``);
   until then it waits as a candidate and the champion keeps serving.

Every outcome carries its reason, and is recorded in the registry (and the audit log).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from supplymesh.planning_settings import PlanningSettings


@dataclass(frozen=True)
class PromotionPolicy:
    """Settings of the gate (``model.promotion_margin``, ``model.require_approval``)."""

    margin: float  # the challenger's canary MASE must be lower by at least this share
    require_approval: bool

    @classmethod
    def from_settings(
        cls, settings: PlanningSettings, force_approval: bool = False
    ) -> PromotionPolicy:
        """The run's gate; ``force_approval`` (the environment's switch) adds the approval."""
        model = settings.model
        return cls(model.promotion_margin, model.require_approval or force_approval)


@dataclass(frozen=True)
class Evidence:
    """What the gate looks at for one challenger."""

    canary_mase: float
    backtest_mase: float
    seasonal_naive_mase: float
    bias_check_passed: bool
    bias_check_summary: str
    champion_version: str | None = None
    champion_canary_mase: float | None = None
    same_recipe: bool = False  # the challenger's recipe is the champion's
    newer_data: bool = False  # ... and it was trained on data the champion never saw
    # the forecaster choosing per class over the challenger's backtest: evidence beside the
    # gate's figures, not a rule of it (the gate compares the model's canary MASE)
    forecaster_backtest_mase: float | None = None
    forecaster_p90_coverage: float | None = None


@dataclass(frozen=True)
class Decision:
    """``promote``, ``await_approval`` or ``reject``, and why."""

    action: str
    reason: str


def decide(evidence: Evidence, policy: PromotionPolicy) -> Decision:
    """Apply the gate's rules in order (see the module docstring)."""
    e = evidence
    if not (math.isfinite(e.backtest_mase) and e.backtest_mase < e.seasonal_naive_mase):
        return Decision(
            "reject",
            f"backtest MASE {e.backtest_mase:.4f} does not beat seasonal naive "
            f"{e.seasonal_naive_mase:.4f}",
        )
    if not e.bias_check_passed:
        return Decision("reject", f"fails the bias check: {e.bias_check_summary}")
    if e.champion_version is None or e.champion_canary_mase is None:
        verdict = "first model: no champion to beat"
    elif e.same_recipe:
        if not e.newer_data:
            return Decision(
                "reject",
                f"same recipe and training data as champion {e.champion_version}: nothing new",
            )
        verdict = (
            f"refresh: champion {e.champion_version}'s recipe retrained on newer data "
            f"(canary MASE {e.canary_mase:.4f} vs {e.champion_canary_mase:.4f})"
        )
    else:
        needed = e.champion_canary_mase * (1.0 - policy.margin)
        gain = 1.0 - e.canary_mase / e.champion_canary_mase if e.champion_canary_mase else 0.0
        if not e.canary_mase <= needed:
            return Decision(
                "reject",
                f"canary MASE {e.canary_mase:.4f} vs champion {e.champion_version} "
                f"{e.champion_canary_mase:.4f}: improvement {gain:+.1%} is below the "
                f"{policy.margin:.1%} margin",
            )
        verdict = (
            f"canary MASE {e.canary_mase:.4f} beats champion {e.champion_version} "
            f"{e.champion_canary_mase:.4f} by {gain:.1%} (margin {policy.margin:.1%})"
        )
    verdict += f"; bias check passed; backtest MASE {e.backtest_mase:.4f} < seasonal naive "
    verdict += f"{e.seasonal_naive_mase:.4f}"
    if e.forecaster_backtest_mase is not None and math.isfinite(e.forecaster_backtest_mase):
        verdict += f"; forecaster backtest MASE {e.forecaster_backtest_mase:.4f}"
        if e.forecaster_p90_coverage is not None:
            verdict += f" (P90 coverage {e.forecaster_p90_coverage:.3f})"
    if policy.require_approval:
        return Decision("await_approval", f"{verdict}; awaiting human approval")
    return Decision("promote", verdict)
