"""Event-driven replanning, the planning steps' side: which pairs a landed batch touched, the
champion's forecast for those pairs spliced into the served forecast, and the record of why.

The landing sensor (``orchestration.landing.sensors``) asks for a run of the product's versions,
the dbt models downstream of it, the forecast and the supply plan, and names the product in the
op config of the two planning steps (``PlanScope``). The first step works out the scope
(``scope_for``: the product's current snapshot against the one it replaced, the marts' as-of
date against the served plan's) and records it for its run (``run_scope``); both steps replan
that one scope's pairs. Without the config the steps plan the whole network as before. Nothing
here trains: the forecast is the serving champion's.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

# Dagster exports no name for a check execution's status (planned, succeeded, failed)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from orchestration.planning.run_scope import record_run_scope, recorded_run_scope
from supplymesh.governance import audit
from supplymesh.planning.forecasting.origin_features import read_back_periods
from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.model_lifecycle.drift import DriftConfig, feature_drift, target_drift
from supplymesh.planning.model_lifecycle.serving import (
    ForecastDrift,
    ServedForecast,
    ServingModel,
    serve_forecast,
)
from supplymesh.planning.replanning.scope import ReplanScope, replan_scope
from supplymesh.planning.replanning.splice import splice_forecast
from supplymesh.planning_inputs import (
    FEATURES_MART,
    changed_pairs,
    features_as_of,
    features_read_back,
    pairs_condition,
    read_mart,
    series_chunks,
)
from supplymesh.publishing.manifest import current_frame
from supplymesh.publishing.records import actor
from supplymesh.registry import Product
from supplymesh.settings import MeshPaths

REPLAN_TAG = "supplymesh/replan"
PLANNING_OPS = ("demand_forecast", "supply_plan")


class PlanScope(dg.Config):
    """What a planning step plans: every pair (the default), or only the pairs a landed batch
    of ``replan_for`` (a product key, e.g. ``sales.orders``) touched and their lanes."""

    replan_for: str = ""


def replan_run_config(product_key: str) -> dict:
    """The op config telling both planning steps which product's batch they replan for."""
    return {"ops": {op: {"config": {"replan_for": product_key}} for op in PLANNING_OPS}}


def scope_for(paths: MeshPaths, product_key: str, served_date: object) -> ReplanScope:
    """The pairs a batch of ``product_key`` replans, from the snapshots on record and the marts
    dbt just rebuilt; ``served_date``: the served plan's date (the forecast origin)."""
    positions = read_mart(paths, "fct_inventory_position", [*SERIES_KEYS, "supplier_id"])
    served = str(pd.Timestamp(served_date).date())
    return replan_scope(
        product_key, changed_pairs(paths, product_key), positions, served, features_as_of(paths)
    )


def event_scope(
    paths: MeshPaths, config: PlanScope, run_id: str, product: Product, date_column: str
) -> ReplanScope | None:
    """The pairs event-driven run ``run_id`` replans, worked out once per run: the scope its
    first planning step recorded, else worked out now (against ``product``'s served plan date,
    ``date_column``) and recorded. None for a full run, or before ``product`` was published."""
    if not config.replan_for:
        return None
    recorded = recorded_run_scope(paths, run_id)
    if recorded is not None and recorded.product == config.replan_for:
        return recorded
    served = current_frame(paths, product.key, product.latest.major)
    if served is None or served.empty:
        return None
    scope = scope_for(paths, config.replan_for, served[date_column].max())
    record_run_scope(paths, run_id, scope)
    return scope


def _no_drift(reference: pd.DataFrame, config: DriftConfig) -> ForecastDrift:
    """Drift of no rows (nothing was forecast): every report says there was nothing to compare."""
    return ForecastDrift(
        feature_drift(reference, pd.DataFrame(), config),
        target_drift(reference, pd.DataFrame(), config),
    )


def replan_forecast(
    paths: MeshPaths,
    serving: ServingModel,
    served: pd.DataFrame,
    scope: ReplanScope,
    horizon: int,
    drift: DriftConfig,
) -> ServedForecast:
    """The served forecast with the changed pairs re-forecast by the serving champion (read
    back as far as a forecast reads, as the full run does); drift measured on those series."""
    backtest, reference = serving.backtest(), serving.reference()
    changed = list(zip(scope.changed["sku"], scope.changed["location_id"], strict=True))
    if not changed:
        return ServedForecast(served, _no_drift(reference, drift))
    window = features_read_back(read_back_periods(serving.model.spec))
    chunks = series_chunks(paths, FEATURES_MART, where=f"{window} AND {pairs_condition(changed)}")
    fresh = serve_forecast(
        serving.model, chunks, backtest, reference, horizon, drift, serving.final_choice()
    )
    spliced = splice_forecast(served, fresh.forecast, backtest, scope.changed)
    return ServedForecast(spliced, fresh.drift, fresh.methods)


def scope_metadata(scope: ReplanScope, class_shifts: pd.DataFrame | None = None) -> dict:
    """What the planning steps' materializations say about the event: how many pairs, which
    and why (and, for the supply plan, the pairs out of scope whose class moved)."""
    table = scope.pairs[[*SERIES_KEYS, "reason"]]
    shifts = {} if class_shifts is None else {"class_shifts_outside_scope": len(class_shifts)}
    return {
        **shifts,
        "replanned_for": scope.product,
        "changed_pairs": len(scope.changed),
        "replanned_pairs": len(scope.pairs),
        "replanned_lanes": scope.lanes,
        "whole_network": scope.whole_network or "no",
        "replanned": dg.MetadataValue.md(table.to_markdown(index=False) if len(table) else "none"),
    }


def audit_replan(
    paths: MeshPaths,
    scope: ReplanScope,
    run_id: str,
    products: list[str],
    class_shifts: pd.DataFrame | None = None,
) -> None:
    """One audit entry per replanned product: which pairs were replanned and why; for the
    supply plan also the pairs out of scope whose class the new ranking moved (they keep their
    served plan until the next full run)."""
    details = scope.summary()
    if class_shifts is not None:
        details["class_shifts_outside_scope"] = class_shifts.to_dict("records")
    reason = (
        f"a landed batch of {scope.product} changed {len(scope.changed)} SKU x DC pairs; "
        f"{len(scope.pairs)} pairs on {scope.lanes} lanes replanned"
    )
    for product in products:
        audit.record(paths, "replan", product, actor(run_id), reason, details)


DRIFT_CHECKS = ("feature_drift", "target_drift")
EVALUATED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def carried_drift_checks(
    instance: dg.DagsterInstance, forecast: dg.AssetKey, scope: ReplanScope
) -> tuple[list[dg.AssetCheckResult], dict]:
    """The forecast's drift checks in an event-driven run, and what the materialization says of
    them: the latest full run's verdicts, carried over and labelled so. Drift is a network
    measure (PSI and KS against the champion's training reference); a few re-forecast series are
    no sample of it, and a verdict on them would trigger or cancel a training round
    (``cadence.training_due`` reads the latest). A check no full run has evaluated yet gets no
    verdict at all (not evaluated): a pass made up here would be a check that cannot fail."""
    results, metadata = [], {}
    for name in DRIFT_CHECKS:
        history = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(forecast, name), limit=1, status=EVALUATED
        )  # the latest verdict: this run's own check is on record already, planned, unevaluated
        record = history[0] if history else None
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if record is None or evaluation is None:
            metadata[f"{name}_check"] = (
                "not evaluated: no full run has measured drift yet, so there is no verdict to "
                "carry over; the next full run measures it"
            )
            continue
        earlier = evaluation.metadata.get("carried_from_run")  # a verdict carried before
        source = str(earlier.value) if earlier is not None else record.run_id
        metadata[f"{name}_check"] = f"carried over from run {source}"
        results.append(
            dg.AssetCheckResult(
                asset_key=forecast,
                check_name=name,
                passed=bool(evaluation.passed),
                severity=dg.AssetCheckSeverity.WARN,
                description=f"carried over from run {source}, not re-measured: this event-driven "
                f"run re-forecast {len(scope.changed)} series; full runs measure drift",
                metadata={"carried_from_run": source, "replanned_series": len(scope.changed)},
            )
        )
    return results, metadata
