"""The demand model's life cycle as assets: train a challenger, gate it, publish the registry.

``forecast_model`` trains a challenger on the features mart (search, backtest, bias check,
importance, final fit: ``supplymesh.planning.model_lifecycle.training``), then settles the round
(``supplymesh.planning.model_lifecycle.challenger_round``: compare with the champion on the same
canary window, let the gate decide, save the artifacts under ``$MESH_HOME/models``) and, under
the registry's lock, publishes ``ml.forecast_models`` (the registry) and ``ml.forecast_backtest``
(the challenger's evidence at every level). Promotions, rejections and approvals also go to the
governance audit log.
"""

import os

import dagster as dg

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.ml.checks import segment_bias_check, segment_bias_spec
from orchestration.resources import MeshResource
from supplymesh.governance.audit import record
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.challenger_round import (
    RegistryStore,
    RoundOutcome,
    settle_round,
)
from supplymesh.planning.model_lifecycle.champion_challenger import PromotionPolicy
from supplymesh.planning.model_lifecycle.segments import SegmentCheckConfig
from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger
from supplymesh.planning.model_lifecycle.tuning import SearchConfig
from supplymesh.planning_inputs import published_model_registry, read_mart, training_snapshot_ids
from supplymesh.publishing.publish import PublishResult, publish_frame
from supplymesh.registry import ProductVersion, get_product
from supplymesh.settings import MeshPaths

MODELS = get_product("ml.forecast_models")
BACKTEST = get_product("ml.forecast_backtest")
FEATURES = dg.AssetKey(["transforms", "fct_demand_features"])
APPROVAL_ENV = "MESH_REQUIRE_MODEL_APPROVAL"  # "1": every promotion waits for a human


class ForecastModelConfig(dg.Config):
    """Run settings of the model life cycle (defaults keep the demo to a couple of minutes)."""

    horizon_days: int = 28
    backtest_origins: int = 6
    search_enabled: bool = True
    search_candidates: int = 4
    search_folds: int = 2
    search_max_rows: int = 120_000
    promotion_margin: float = 0.02
    require_approval: bool = False
    max_segment_error_ratio: float = 1.5
    min_segment_share: float = 0.01
    min_segment_series: int = 5

    def training(self) -> TrainingConfig:
        return TrainingConfig(
            horizon=self.horizon_days,
            n_origins=self.backtest_origins,
            params=ForecastParams(horizon=self.horizon_days),
            search=SearchConfig(
                enabled=self.search_enabled,
                n_candidates=self.search_candidates,
                n_splits=self.search_folds,
                max_rows=self.search_max_rows,
            ),
            segments=SegmentCheckConfig(
                max_error_ratio=self.max_segment_error_ratio,
                min_share=self.min_segment_share,
                min_series=self.min_segment_series,
            ),
        )

    def policy(self) -> PromotionPolicy:
        required = self.require_approval or os.environ.get(APPROVAL_ENV, "") == "1"
        return PromotionPolicy(margin=self.promotion_margin, require_approval=required)


def _spec(product, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    return product_spec(product, product.latest, deps=deps, kinds={"scikitlearn", "pandera"})


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
        **(challenger.search.as_metadata() if challenger.search else {}),
        "feature_importance": dg.MetadataValue.md(
            challenger.importance.round(4).to_markdown(index=False)
        ),
        "segments": dg.MetadataValue.md(
            challenger.segments.table.round(4).to_markdown(index=False)
        ),
    }


@dg.multi_asset(
    name="forecast_model",
    specs=[_spec(MODELS, [FEATURES]), _spec(BACKTEST, [FEATURES])],
    check_specs=[
        contract_check_spec(MODELS.latest),
        contract_check_spec(BACKTEST.latest),
        segment_bias_spec(asset_key(MODELS.latest)),
    ],
)
def forecast_model(
    context: dg.AssetExecutionContext, config: ForecastModelConfig, mesh: MeshResource
):
    """Train a challenger, run it beside the champion on the latest window, and promote it only
    if it beats the champion by the margin and passes the bias check (and, when required, a
    human approves it)."""
    paths, run_id = mesh.paths, context.run.run_id
    features = read_mart(paths, "fct_demand_features")
    training = config.training()
    challenger = train_challenger(features, training, progress=context.log.info)

    def publish(outcome: RoundOutcome) -> list[tuple[PublishResult, ProductVersion]]:
        """Runs under the registry's lock: the registry, the evidence, then the audit entry."""
        frames = [(MODELS, outcome.registry), (BACKTEST, outcome.backtest_table())]
        results = [
            (publish_frame(p.key, f, paths=paths, run_id=run_id), p.latest) for p, f in frames
        ]
        if results[0][0].published:
            audit_decision(paths, outcome, f"run:{run_id}")
        return results

    store = RegistryStore(
        lambda: published_model_registry(paths), publish, training_snapshot_ids(paths)
    )
    outcome, results = settle_round(paths, features, challenger, training, config.policy(), store)
    yield from publish_events(results, extra=_round_metadata(outcome))
    yield segment_bias_check(asset_key(MODELS.latest), challenger, training)


def ml_assets() -> list[dg.AssetsDefinition]:
    return [forecast_model]
