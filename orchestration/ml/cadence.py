"""The model life cycle's own cadence in Dagster: when ``forecast_model`` (the group
``model_lifecycle``) runs, and why, in terms the UI shows.

* ``training_condition``: the declarative automation condition of the training assets. One
  labelled operand per reason of ``supplymesh.planning.model_lifecycle.cadence`` (no champion,
  drift failed, accuracy failed, new days of actuals), each evaluated in user code by
  ``TrainingReasonHolds``, and never while a training or its inputs are in progress, before its
  inputs exist, or after a training that failed (a person retries it). The sensor ``model_training_automation`` evaluates
  it; the UI's automation page shows which operand was true on each tick.
* ``model_training_schedule``: the weekly round (``model.retrain_schedule``) of the job
  ``model_training``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from orchestration.jobs import TRAINING_GROUP
from orchestration.metadata import asset_key
from supplymesh.planning.model_lifecycle.cadence import (
    CHECK_KINDS,
    REASON_KINDS,
    CadenceConfig,
    CheckResult,
    TrainingReason,
    not_due_text,
    training_reasons,
)
from supplymesh.planning.model_lifecycle.model_registry import utc_now
from supplymesh.planning_inputs import published_model_registry
from supplymesh.planning_settings import PlanningSettings, load_planning_settings
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths, mesh_paths
from supplymesh.validation.landing_file import READ_ERRORS, UnreadableInputError, source_sql

TRAINING_JOB = "model_training"
REASON_TAG = "supplymesh/training"  # on every run: why it trains, or that it does not
FORECAST = get_product("planning.demand_forecast")
ORDERS = get_product("sales.orders")


def champion_check_keys() -> list[dg.AssetCheckKey]:
    """The champion's drift and accuracy checks (on the forecast it serves)."""
    forecast = asset_key(FORECAST.latest)
    return [dg.AssetCheckKey(forecast, name) for name in sorted(CHECK_KINDS)]


def latest_check_results(instance: dg.DagsterInstance) -> dict[str, CheckResult]:
    """The latest evaluation of each of the champion's checks recorded in ``instance``."""
    out: dict[str, CheckResult] = {}
    for key in champion_check_keys():
        record = instance.get_latest_asset_check_evaluation_record(key)
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if evaluation is None:
            continue
        at = dt.datetime.fromtimestamp(record.event.timestamp, dt.UTC).replace(tzinfo=None)
        out[key.name] = CheckResult(bool(evaluation.passed), pd.Timestamp(at))
    return out


def _max_order_date(source: str) -> dt.date | None:
    with duckdb.connect() as con:
        value = con.execute(f"SELECT max(CAST(order_date AS DATE)) FROM {source}").fetchone()[0]
    return value


def newest_actual_date(paths: MeshPaths) -> dt.date | None:
    """The newest order day the mesh has or is about to publish: the latest landing batch of
    ``sales.orders`` (what the next run publishes), else, also when that batch cannot be read
    (the run's contract check says why), the snapshot it serves."""
    batch = latest_batch(paths.landing_dir(ORDERS.domain), ORDERS.source_extract or "orders")
    if batch is not None:
        try:
            return _max_order_date(source_sql(batch))
        except (UnreadableInputError, *READ_ERRORS, duckdb.ConversionException):
            pass
    served = current_snapshot(read_manifest(paths), ORDERS.key, ORDERS.latest.major)
    return _max_order_date(f"read_parquet('{served['path']}')") if served else None


@dataclass(frozen=True)
class CadenceState:
    """What the reasons are judged on: the registry, the checks, the newest actual day."""

    registry: pd.DataFrame
    checks: dict[str, CheckResult]
    newest_actual: dt.date | None
    config: CadenceConfig

    def reasons(self) -> list[TrainingReason]:
        return training_reasons(self.registry, self.checks, self.newest_actual, self.config)

    def due(self) -> TrainingReason | None:
        return next(iter(self.reasons()), None)

    def not_due_text(self) -> str:
        return not_due_text(self.registry, self.newest_actual, self.config, utc_now())


def cadence_state(
    instance: dg.DagsterInstance, paths: MeshPaths, settings: PlanningSettings
) -> CadenceState:
    return CadenceState(
        published_model_registry(paths),
        latest_check_results(instance),
        newest_actual_date(paths),
        CadenceConfig.from_settings(settings),
    )


class TrainingReasonHolds(dg.AutomationCondition):
    """True for the training assets while one kind of reason to train holds (user code)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    @property
    def name(self) -> str:
        return f"training_reason_{self.kind}"

    @property
    def description(self) -> str:
        return f"training is due: {self.kind.replace('_', ' ')}"

    @property
    def requires_cursor(self) -> bool:
        return False

    def get_label(self) -> str:
        return self.kind

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        paths = mesh_paths()
        state = cadence_state(
            context.asset_graph_view.instance, paths, load_planning_settings(paths.home)
        )
        holds = any(r.kind == self.kind for r in state.reasons())
        subset = context.candidate_subset if holds else context.get_empty_subset()
        return dg.AutomationResult(context, subset)


def training_condition() -> dg.AutomationCondition:
    """Train when a reason holds; not while a training or its inputs run, nor before the features
    mart exists, nor after a training that failed (a person retries it)."""
    reasons = TrainingReasonHolds(REASON_KINDS[0])
    for kind in REASON_KINDS[1:]:
        reasons = reasons | TrainingReasonHolds(kind)
    return (
        reasons.with_label("a reason to train holds")
        & ~dg.AutomationCondition.in_progress()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.any_deps_missing()
        & ~dg.AutomationCondition.execution_failed().with_label("last training failed")
    )


model_training_job = dg.define_asset_job(
    TRAINING_JOB,
    selection=dg.AssetSelection.groups(TRAINING_GROUP),
    executor_def=dg.in_process_executor,
    description="Train a challenger, gate it against the champion, publish the model registry.",
    tags={REASON_TAG: "requested"},
)


def model_training_schedule(settings: PlanningSettings) -> dg.ScheduleDefinition:
    """The weekly round (``model.retrain_schedule``), whatever the reasons say."""
    return dg.ScheduleDefinition(
        name="model_training_schedule",
        job=model_training_job,
        cron_schedule=settings.model.retrain_schedule,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={REASON_TAG: "schedule"},
        description="The demand model's scheduled training round (planning.yaml: "
        "model.retrain_schedule).",
    )


with warnings.catch_warnings():  # use_user_code_server is beta; custom conditions need it
    warnings.simplefilter("ignore", dg.BetaWarning)
    training_automation_sensor = dg.AutomationConditionSensorDefinition(
        "model_training_automation",
        target=dg.AssetSelection.groups(TRAINING_GROUP),
        use_user_code_server=True,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=60,
        run_tags={REASON_TAG: "automation condition"},
        description="Trains the demand model when a reason holds (no champion, drift or accuracy "
        "check failed, model.retrain_after_days new days of actuals).",
    )
