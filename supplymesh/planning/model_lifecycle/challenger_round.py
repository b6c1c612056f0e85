"""One champion/challenger round: a trained challenger against the serving champion, decided by
the gate and recorded in the model registry.

``settle_round`` takes a challenger (``training.train_challenger``), saves its artifacts, refits
the champion's recipe on the challenger's canary window, gathers the evidence, lets the gate
decide (``champion_challenger.decide``) and adds the challenger with its decision to the registry.
The registry is read, decided on and handed to ``publish`` under the registry's lock, so two
rounds never lose each other's decisions. Reading and publishing are the caller's (a
``RegistryStore``: the asset publishes the registry product and writes the audit entry), and
what ``publish`` returned comes back beside the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import pandas as pd

from contracts.ml import forecast_backtest_v2 as backtest_contract
from supplymesh.planning.forecast_choice.selection import FORECAST
from supplymesh.planning.forecast_choice.stored_choice import choice_to_json
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.champion_challenger import (
    Decision,
    Evidence,
    PromotionPolicy,
    decide,
)
from supplymesh.planning.model_lifecycle.training import (
    RECIPE_FIELDS_ADDED,
    Challenger,
    TrainingConfig,
    champion_canary_mase,
    params_from_json,
)
from supplymesh.settings import MeshPaths

GATE = "champion-challenger gate"  # the actor of the gate's decisions in the registry
AUDIT_EVENTS = {
    "promote": "model_promotion",
    "reject": "model_rejection",
    "await_approval": "model_approval_requested",
}
T = TypeVar("T")


@dataclass(frozen=True)
class RoundOutcome:
    """A settled round: the challenger, the evidence, the decision and the registry after it."""

    version: str
    challenger: Challenger
    evidence: Evidence
    decision: Decision
    policy: PromotionPolicy
    registry: pd.DataFrame

    @property
    def serving_version(self) -> str | None:
        """The champion after the round (the challenger when it was promoted)."""
        row = reg.champion(self.registry)
        return None if row is None else str(row["model_version"])

    def backtest_table(self, methods: Sequence[str] = backtest_contract.METHODS) -> pd.DataFrame:
        """The challenger's backtest evidence at every level (``ml.forecast_backtest``) for
        ``methods`` (a major version's allowed ones: v2's by default, every method and the
        forecaster's overall and per-origin rows; v1's the model and its baselines)."""
        table = self.challenger.backtest.table(self.version, methods)
        forecaster = self.challenger.forecaster
        if FORECAST in methods and forecaster is not None and forecaster.scored:
            table = pd.concat([table, forecaster.table(self.version)], ignore_index=True)
        return table

    @property
    def audit_event(self) -> str:
        return AUDIT_EVENTS.get(self.decision.action, f"model_{self.decision.action}")

    def audit_details(self) -> dict[str, object]:
        return {
            "canary_mase": self.evidence.canary_mase,
            "champion": self.evidence.champion_version,
            "champion_canary_mase": self.evidence.champion_canary_mase,
            "margin": self.policy.margin,
            "forecaster_backtest_mase": self.evidence.forecaster_backtest_mase,
            "forecaster_p90_coverage": self.evidence.forecaster_p90_coverage,
        }


def _champion_canary(
    features: pd.DataFrame,
    champion: pd.Series | None,
    challenger: Challenger,
    training: TrainingConfig,
) -> tuple[str | None, float | None]:
    """(champion version, its recipe's MASE on the challenger's canary window), or Nones."""
    if champion is None:
        return None, None
    params = params_from_json(champion["params"], training.params)
    mase = champion_canary_mase(features, params, challenger, training.horizon)
    return champion["model_version"], mase


def gather_evidence(
    challenger: Challenger,
    champion: pd.Series | None,
    champion_canary: float | None,
    snapshots: dict[str, str],
) -> Evidence:
    """What the gate decides on: the challenger's scores beside the champion's."""
    card = challenger.card()
    worst, ratio = challenger.segments.worst
    # a recipe recorded before a field was added holds the value it was trained with
    same_recipe = champion is not None and {
        **RECIPE_FIELDS_ADDED,
        **json.loads(champion["params"]),
    } == json.loads(str(card["params"]))
    return Evidence(
        canary_mase=float(card["canary_mase"]),
        backtest_mase=float(card["backtest_mase"]),
        seasonal_naive_mase=float(card["seasonal_naive_mase"]),
        bias_check_passed=challenger.segments.passed,
        bias_check_summary="; ".join(challenger.segments.failures) or f"worst {worst} {ratio:.2f}",
        champion_version=None if champion is None else champion["model_version"],
        champion_canary_mase=champion_canary,
        same_recipe=same_recipe,
        newer_data=champion is not None and json.loads(champion["training_snapshots"]) != snapshots,
        forecaster_backtest_mase=_optional(card.get("forecaster_backtest_mase")),
        forecaster_p90_coverage=_optional(card.get("forecaster_p90_coverage")),
    )


def _optional(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RegistryStore(Generic[T]):
    """Where a round reads the published registry and publishes its change: the caller's, so
    this package never reads or writes the mesh itself."""

    read: Callable[[], pd.DataFrame]  # the registry as published now
    publish: Callable[[RoundOutcome], T]  # publish the outcome's registry (under the lock)
    training_snapshots: dict[str, str]  # the snapshots the challenger was trained on


def settle_round(
    paths: MeshPaths,
    features: pd.DataFrame,
    challenger: Challenger,
    training: TrainingConfig,
    policy: PromotionPolicy,
    store: RegistryStore,
) -> tuple[RoundOutcome, T]:
    """Save the challenger, decide on it against the champion and record the decision; returns
    the outcome and what ``store.publish`` (called under the registry's lock) returned."""
    trained_at = reg.utc_now()
    snapshots = store.training_snapshots
    version = reg.new_version(trained_at, challenger.params.recipe(), snapshots)
    forecaster = challenger.forecaster
    artifact, sha = reg.save_artifacts(
        paths,
        version,
        challenger.model,
        challenger.backtest.predictions,
        challenger.reference,
        final_choice=None if forecaster is None else choice_to_json(forecaster.final),
    )
    # the champion's recipe refit on the canary window happens before the registry is locked
    # (a fit can take a minute; an approval must not wait for it), and again in the rare case
    # the champion changed meanwhile
    canary = _champion_canary(features, reg.champion(store.read()), challenger, training)
    with reg.registry_lock(paths):
        registry = store.read()
        current = reg.champion(registry)
        if current is not None and canary[0] != current["model_version"]:
            canary = _champion_canary(features, current, challenger, training)
        evidence = gather_evidence(challenger, current, canary[1], snapshots)
        decision = decide(evidence, policy)
        card = challenger.card()
        card.update(
            model_version=version,
            trained_at=trained_at,
            training_snapshots=json.dumps(snapshots, sort_keys=True),
            approval_required=policy.require_approval,
            champion_version=evidence.champion_version,
            champion_canary_mase=canary[1],
            artifact_path=str(artifact),
            artifact_sha256=sha,
        )
        registry = reg.add_candidate(registry, card)
        registry = reg.record_decision(
            registry, version, decision.action, decision.reason, GATE, reg.utc_now()
        )
        outcome = RoundOutcome(version, challenger, evidence, decision, policy, registry)
        return outcome, store.publish(outcome)
