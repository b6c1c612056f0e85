"""The demand model's life cycle as assets: train a challenger, gate it, publish the registry.

``forecast_model`` trains a challenger on the features mart (search, backtest, bias check,
importance, final fit: ``supplymesh.planning.model_lifecycle.training``), then settles the round
(``supplymesh.planning.model_lifecycle.challenger_round``: compare with the champion on the same
canary window, let the gate decide, save the artifacts under ``$MESH_HOME/models``) and, under
the registry's lock, publishes ``ml.forecast_models`` (the registry) and ``ml.forecast_backtest``
(the challenger's evidence at every level: v2 with the peers and the forecaster choosing among
them, and the deprecated v1 with the model and its baselines until its sunset). Promotions, rejections and approvals also go to the
governance audit log.

The daily run never trains: the group ``model_lifecycle`` runs on its own cadence
(``orchestration.ml.cadence``: the automation condition, the weekly schedule, and what
``mesh materialize`` reads to decide whether this round is due).
"""

import os

import dagster as dg
import pandas as pd

from contracts.ml import forecast_backtest_v1
from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.ml.cadence import TRAINING_GROUP, training_condition
from orchestration.ml.checks import segment_bias_check, segment_bias_spec
from orchestration.resources import MeshResource
from supplymesh.governance.audit import record
from supplymesh.planning.forecasting.model import with_levels_of_unseen_series
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.challenger_round import (
    RegistryStore,
    RoundOutcome,
    settle_round,
)
from supplymesh.planning.model_lifecycle.champion_challenger import PromotionPolicy
from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger
from supplymesh.planning_inputs import (
    FEATURES_MART,
    published_model_registry,
    read_mart,
    series_levels,
    training_series,
    training_snapshot_ids,
)
from supplymesh.planning_settings import PlanningSettings
from supplymesh.publishing.publish import PublishResult, publish_frame
from supplymesh.registry import ProductVersion, get_product
from supplymesh.settings import MeshPaths

MODELS = get_product("ml.forecast_models")
BACKTEST = get_product("ml.forecast_backtest")
BACKTEST_V1 = BACKTEST.version(1)  # deprecated: its methods' rows, until its sunset
FEATURES = dg.AssetKey(["transforms", "fct_demand_features"])
APPROVAL_ENV = "MESH_REQUIRE_MODEL_APPROVAL"  # "1": every promotion waits for a human


def promotion_policy(settings: PlanningSettings) -> PromotionPolicy:
    """The gate of the run's settings; ``MESH_REQUIRE_MODEL_APPROVAL=1`` forces the approval."""
    return PromotionPolicy.from_settings(settings, os.environ.get(APPROVAL_ENV, "") == "1")


def _spec(product, deps: list[dg.AssetKey], version: ProductVersion | None = None) -> dg.AssetSpec:
    """A model product's version (the latest by default) in the ``model_lifecycle`` group,
    trained on its own cadence."""
    version = version or product.latest
    spec = product_spec(product, version, deps=deps, kinds={"scikitlearn", "pandera"})
    return spec.replace_attributes(
        group_name=TRAINING_GROUP, automation_condition=training_condition()
    )


def audit_decision(paths: MeshPaths, outcome: RoundOutcome, actor: str):
    """One audit entry per registry decision (promotion, rejection, waiting for approval)."""
    subject = f"{reg.PRODUCT} {outcome.version}"
    reason = outcome.decision.reason
    return record(paths, outcome.audit_event, subject, actor, reason, outcome.audit_details())


def _round_metadata(outcome: RoundOutcome) -> dict:
    challenger = outcome.challenger
    return {
        "challenger": outcome.version,
        "decision": outcome.decision.action,
        "decision_reason": outcome.decision.reason,
        "serving_champion": outcome.serving_version or "none",
        **challenger.backtest.as_metadata(),
        **_forecaster_metadata(outcome),
        **(challenger.search.as_metadata() if challenger.search else {}),
        "feature_importance": dg.MetadataValue.md(
            challenger.importance.round(4).to_markdown(index=False)
        ),
        "segments": dg.MetadataValue.md(
            challenger.segments.table.round(4).to_markdown(index=False)
        ),
    }


def _forecaster_metadata(outcome: RoundOutcome) -> dict:
    """The forecaster's figures and serving choice per class (the registry card's), if any."""
    card = outcome.challenger.forecaster_card()
    out = {k: round(float(v), 4) for k, v in card.items() if isinstance(v, float)}
    forecaster = outcome.challenger.forecaster
    if forecaster is not None:
        table = forecaster.final.table().round(4)
        out["forecaster_final_choice"] = dg.MetadataValue.md(table.to_markdown(index=False))
    return out


@dg.multi_asset(
    name="forecast_model",
    specs=[
        _spec(MODELS, [FEATURES]),
        _spec(BACKTEST, [FEATURES]),
        _spec(BACKTEST, [FEATURES], BACKTEST_V1),
    ],
    check_specs=[
        contract_check_spec(MODELS.latest),
        contract_check_spec(BACKTEST.latest),
        contract_check_spec(BACKTEST_V1),
        segment_bias_spec(asset_key(MODELS.latest)),
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
    paths, run_id = mesh.paths, context.run.run_id
    first_round = published_model_registry(paths).empty
    training = TrainingConfig.from_settings(planning, first_round=first_round)
    if first_round and not training.search.enabled and planning.model.search_enabled:
        context.log.info("search: not on the first round (model.search_first_round), from the next")
    sample = training_series(paths, planning.model.max_training_series)
    features = read_mart(paths, FEATURES_MART, where=sample)
    if sample is not None:
        context.log.info(f"training on a sample of {planning.model.max_training_series} series")
    challenger = train_challenger(features, training, progress=context.log.info)
    if sample is not None:  # every series is forecast with its own level
        challenger.model = with_levels_of_unseen_series(challenger.model, *series_levels(paths))

    def publish(outcome: RoundOutcome) -> list[tuple[PublishResult, ProductVersion]]:
        """Runs under the registry's lock: the registry, the evidence, then the audit entry."""
        v1_table = outcome.backtest_table(forecast_backtest_v1.METHODS)
        frames = [
            (MODELS.latest, outcome.registry),
            (BACKTEST.latest, outcome.backtest_table()),
            (BACKTEST_V1, v1_table),
        ]
        results = [(_publish(v, f, paths, run_id, planning), v) for v, f in frames]
        if results[0][0].published:
            audit_decision(paths, outcome, f"run:{run_id}")
        return results

    store = RegistryStore(
        lambda: published_model_registry(paths), publish, training_snapshot_ids(paths)
    )
    outcome, results = settle_round(
        paths, features, challenger, training, promotion_policy(planning), store
    )
    yield from publish_events(results, extra=_round_metadata(outcome))
    yield segment_bias_check(asset_key(MODELS.latest), challenger, training)


def _publish(
    version: ProductVersion,
    frame: pd.DataFrame,
    paths: MeshPaths,
    run_id: str,
    planning: PlanningSettings,
) -> PublishResult:
    return publish_frame(
        version.product, frame, paths=paths, run_id=run_id, major=version.major, settings=planning
    )


def ml_assets() -> list[dg.AssetsDefinition]:
    return [forecast_model]
