"""The demand model's life cycle as assets: train a challenger, gate it, publish the registry.

``forecast_model`` trains a challenger on the features mart (search, backtest, bias check,
importance, final fit: ``supplymesh.planning.model_lifecycle.training``), compares it with the champion on the
same canary window, lets the gate decide (``supplymesh.planning.model_lifecycle.champion_challenger``), saves the
artifacts under ``$MESH_HOME/models`` and publishes ``ml.forecast_models`` (the registry) and
``ml.forecast_backtest`` (the challenger's evidence at every level). Promotions, rejections and
approvals also go to the governance audit log.
"""

import json
import os
from functools import partial

import dagster as dg
import pandas as pd

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.resources import MeshResource
from supplymesh.governance.audit import record
from supplymesh.marts import read_mart
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.champion_challenger import (
    Evidence,
    PromotionPolicy,
    decide,
)
from supplymesh.planning.model_lifecycle.training import (
    TrainingConfig,
    champion_canary_mase,
    params_from_json,
    train_challenger,
)
from supplymesh.planning_settings import PlanningSettings
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import get_product

MODELS = get_product("ml.forecast_models")
BACKTEST = get_product("ml.forecast_backtest")
FEATURES = dg.AssetKey(["transforms", "fct_demand_features"])
GATE = "champion-challenger gate"
APPROVAL_ENV = "MESH_REQUIRE_MODEL_APPROVAL"  # "1": every promotion waits for a human


def promotion_policy(settings: PlanningSettings) -> PromotionPolicy:
    """The gate of the run's settings; ``MESH_REQUIRE_MODEL_APPROVAL=1`` forces the approval."""
    return PromotionPolicy.from_settings(settings, os.environ.get(APPROVAL_ENV, "") == "1")


def _spec(product, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    return product_spec(product, product.latest, deps=deps, kinds={"scikitlearn", "pandera"})


def audit_decision(paths, version: str, action: str, reason: str, actor: str, details: dict):
    """One audit entry per registry decision (promotion, rejection, waiting for approval)."""
    name = {
        "promote": "model_promotion",
        "reject": "model_rejection",
        "await_approval": "model_approval_requested",
    }.get(action, f"model_{action}")
    return record(paths, name, f"{reg.PRODUCT} {version}", actor, reason, details)


@dg.multi_asset(
    name="forecast_model",
    specs=[_spec(MODELS, [FEATURES]), _spec(BACKTEST, [FEATURES])],
    check_specs=[
        contract_check_spec(MODELS.latest),
        contract_check_spec(BACKTEST.latest),
        dg.AssetCheckSpec(
            "segment_bias",
            asset=asset_key(MODELS.latest),
            description="No region or product category's backtest error (MASE relative to the "
            "seasonal naive's) exceeds the overall one by more than the configured ratio "
            "(segments under the minimum volume share or series count are reported, not judged).",
        ),
    ],
)
def forecast_model(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
):
    """Train a challenger, run it beside the champion on the latest window, and promote it only
    if it beats the champion by the margin and passes the bias check (and, when required, a
    human approves it)."""
    paths = mesh.paths
    features = read_mart(paths, "fct_demand_features")
    training = TrainingConfig.from_settings(planning)
    challenger = train_challenger(features, training, progress=context.log.info)
    trained_at = reg.utc_now()
    snapshots = reg.training_snapshots(paths)
    version = reg.new_version(trained_at, challenger.params.recipe(), snapshots)
    artifact, sha = reg.save_artifacts(
        paths, version, challenger.model, challenger.backtest.predictions, challenger.reference
    )
    # the champion's recipe refit on the canary window happens before the registry is locked
    # (a fit can take a minute; an approval must not wait for it), and again in the rare case
    # the champion changed meanwhile
    champion_mase = _champion_canary(
        features, reg.champion(reg.load_registry(paths)), challenger, training
    )
    with reg.registry_lock(paths):
        registry = reg.load_registry(paths)
        current = reg.champion(registry)
        if current is not None and champion_mase[0] != current["model_version"]:
            champion_mase = _champion_canary(features, current, challenger, training)
        card = challenger.card()
        worst, ratio = challenger.segments.worst
        same_recipe = current is not None and json.loads(current["params"]) == json.loads(
            card["params"]
        )
        evidence = Evidence(
            canary_mase=float(card["canary_mase"]),
            backtest_mase=float(card["backtest_mase"]),
            seasonal_naive_mase=float(card["seasonal_naive_mase"]),
            bias_check_passed=challenger.segments.passed,
            bias_check_summary="; ".join(challenger.segments.failures)
            or f"worst {worst} {ratio:.2f}",
            champion_version=None if current is None else current["model_version"],
            champion_canary_mase=champion_mase[1],
            same_recipe=same_recipe,
            newer_data=current is not None
            and json.loads(current["training_snapshots"]) != snapshots,
        )
        policy = promotion_policy(planning)
        decision = decide(evidence, policy)
        card.update(
            model_version=version,
            trained_at=trained_at,
            training_snapshots=json.dumps(snapshots, sort_keys=True),
            approval_required=policy.require_approval,
            champion_version=evidence.champion_version,
            champion_canary_mase=champion_mase[1],
            artifact_path=str(artifact),
            artifact_sha256=sha,
        )
        registry = reg.add_candidate(registry, card)
        registry = reg.record_decision(
            registry, version, decision.action, decision.reason, GATE, reg.utc_now()
        )
        run_id = context.run.run_id
        publish = partial(publish_frame, paths=paths, run_id=run_id, settings=planning)
        results = [
            (publish(MODELS.key, registry), MODELS.latest),
            (publish(BACKTEST.key, challenger.backtest.table(version)), BACKTEST.latest),
        ]
        if results[0][0].published:
            audit_decision(
                paths,
                version,
                decision.action,
                decision.reason,
                f"run:{run_id}",
                {
                    "canary_mase": evidence.canary_mase,
                    "champion": evidence.champion_version,
                    "champion_canary_mase": champion_mase[1],
                    "margin": policy.margin,
                },
            )
    serving = reg.champion(registry)
    metadata = {
        "challenger": version,
        "decision": decision.action,
        "decision_reason": decision.reason,
        "serving_champion": "none" if serving is None else serving["model_version"],
        **challenger.backtest.as_metadata(),
        **(challenger.search.as_metadata() if challenger.search else {}),
        "feature_importance": dg.MetadataValue.md(
            challenger.importance.round(4).to_markdown(index=False)
        ),
        "segments": dg.MetadataValue.md(
            challenger.segments.table.round(4).to_markdown(index=False)
        ),
    }
    yield from publish_events(results, extra=metadata)
    yield dg.AssetCheckResult(
        asset_key=asset_key(MODELS.latest),
        check_name="segment_bias",
        passed=challenger.segments.passed,
        metadata={
            "max_error_ratio": training.segments.max_error_ratio,
            "measure": challenger.segments.measure,
            "overall_error": challenger.segments.overall_error,
            "worst_segment": worst,
            "worst_error_ratio": ratio,
            "failures": dg.MetadataValue.md(
                "\n".join(f"- {f}" for f in challenger.segments.failures) or "none"
            ),
        },
    )


def _champion_canary(features, champion, challenger, training) -> tuple[str | None, float | None]:
    """(champion version, its recipe's MASE on the challenger's canary window), or Nones."""
    if champion is None:
        return None, None
    params = params_from_json(champion["params"], training.params)
    mase = champion_canary_mase(features, params, challenger, training.horizon)
    return champion["model_version"], mase


def serving_model(paths) -> tuple[pd.Series, object]:
    """The champion's registry row and its unpickled model; a clear failure when none serves."""
    registry = reg.load_registry(paths)
    row = reg.champion(registry)
    if row is None:
        pending = registry.loc[registry["decision"] == "awaiting_approval", "model_version"]
        hint = (
            f"approve one with `mesh forecast approve {pending.iloc[-1]} --by NAME`"
            if len(pending)
            else "materialize ml/forecast_models_v1 first"
        )
        raise dg.Failure(description=f"no champion demand model serves yet: {hint}")
    return row, reg.load_model(row)


def ml_assets() -> list[dg.AssetsDefinition]:
    return [forecast_model]
