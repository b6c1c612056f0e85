"""When the demand model trains: the reasons a training round is due, and why none is.

The daily run scores with the serving champion and never trains. A training round (search,
backtest, challenger, gate, registry) is due when one of these holds, checked in this order:

* ``no_champion``: no model serves and none waits for a person's approval;
* ``drift`` / ``accuracy``: the latest result of one of the champion's drift or accuracy checks
  failed, and that result came after the latest training round (so a failure triggers one round,
  not one per check run);
* ``new_actuals``: ``retrain_after_days`` or more days of actuals arrived after the history the
  latest round trained on.

The weekly schedule and a person's request (``mesh forecast train``, ``mesh materialize
--retrain``, the UI) need no reason from here. The callers read the registry, the check results
and the newest actual date and pass them in (this layer never reads the mesh or Dagster):
``orchestration.ml.cadence`` for the Dagster automation condition and ``mesh materialize``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning_settings import PlanningSettings

NO_CHAMPION, DRIFT, ACCURACY, NEW_ACTUALS = "no_champion", "drift", "accuracy", "new_actuals"
REASON_KINDS = (NO_CHAMPION, DRIFT, ACCURACY, NEW_ACTUALS)
# the champion's checks (on ``planning/demand_forecast_v1``) whose failure makes training due
CHECK_KINDS = {"feature_drift": DRIFT, "target_drift": DRIFT, "beats_seasonal_naive": ACCURACY}


@dataclass(frozen=True)
class CadenceConfig:
    """``model.retrain_after_days`` and ``model.retrain_schedule`` (a cron, named in the text)."""

    retrain_after_days: int
    schedule: str = "0 4 * * 1"

    @classmethod
    def from_settings(cls, settings: PlanningSettings) -> CadenceConfig:
        return cls(settings.model.retrain_after_days, settings.model.retrain_schedule)


@dataclass(frozen=True)
class CheckResult:
    """The latest evaluation of one check: whether it passed, and when (naive UTC)."""

    passed: bool
    evaluated_at: pd.Timestamp


@dataclass(frozen=True)
class TrainingReason:
    """Why a round is due: one of ``REASON_KINDS`` and a few words for people."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return self.detail


def latest_round(registry: pd.DataFrame) -> pd.Series | None:
    """The registry's newest row (the latest training round, whatever the gate decided)."""
    if registry.empty:
        return None
    return registry.sort_values("trained_at").iloc[-1]


def _as_date(value) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def new_actual_days(registry: pd.DataFrame, newest_actual_date: dt.date | None) -> int:
    """Days of actuals after the history the latest round trained on (0 before any round)."""
    last = latest_round(registry)
    trained_to = None if last is None else _as_date(last["training_as_of"])
    newest = _as_date(newest_actual_date)
    if trained_to is None or newest is None:
        return 0
    return max((newest - trained_to).days, 0)


def training_reasons(
    registry: pd.DataFrame,
    latest_checks: Mapping[str, CheckResult],
    newest_actual_date: dt.date | None,
    config: CadenceConfig,
) -> list[TrainingReason]:
    """Every reason that holds now, most pressing first (empty: no round is due)."""
    reasons: list[TrainingReason] = []
    if reg.champion(registry) is None:
        if not (registry["decision"] == "awaiting_approval").any():
            reasons.append(TrainingReason(NO_CHAMPION, "no champion yet"))
        return reasons  # the other reasons judge a champion
    last = latest_round(registry)
    trained_at = pd.Timestamp(last["trained_at"])
    for name, result in sorted(latest_checks.items()):
        kind = CHECK_KINDS.get(name)
        if kind and not result.passed and pd.Timestamp(result.evaluated_at) > trained_at:
            reasons.append(TrainingReason(kind, f"{kind}: check {name} failed"))
    days = new_actual_days(registry, newest_actual_date)
    if days >= config.retrain_after_days:
        reasons.append(
            TrainingReason(NEW_ACTUALS, f"{days} new days of actuals since the last training")
        )
    return reasons


def training_due(
    registry: pd.DataFrame,
    latest_checks: Mapping[str, CheckResult],
    newest_actual_date: dt.date | None,
    config: CadenceConfig,
) -> TrainingReason | None:
    """The most pressing reason to train now, or None when the champion keeps serving."""
    reasons = training_reasons(registry, latest_checks, newest_actual_date, config)
    return reasons[0] if reasons else None


def _age(trained_at: pd.Timestamp, now: pd.Timestamp) -> str:
    days = (now - trained_at).days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    hours = int((now - trained_at).total_seconds() // 3600)
    return f"{hours} h ago" if hours >= 1 else "minutes ago"


def not_due_text(
    registry: pd.DataFrame,
    newest_actual_date: dt.date | None,
    config: CadenceConfig,
    now: pd.Timestamp,
) -> str:
    """Why no round runs, and what would start one (the champion, its age, its data)."""
    champion = reg.champion(registry)
    if champion is None:
        waiting = registry.loc[registry["decision"] == "awaiting_approval", "model_version"]
        name = waiting.iloc[-1] if len(waiting) else "none"
        return f"candidate {name} awaits approval (mesh forecast approve {name} --by NAME)"
    last = latest_round(registry)
    days = new_actual_days(registry, newest_actual_date)
    head = (
        f"champion {champion['model_version']} trained "
        f"{_age(pd.Timestamp(champion['trained_at']), now)} on data to "
        f"{_as_date(champion['training_as_of'])}"
    )
    if last["model_version"] != champion["model_version"]:
        head += f", last round {_age(pd.Timestamp(last['trained_at']), now)}"
    return (
        f"{head}; next: drift/accuracy failure, {config.retrain_after_days} new days "
        f"({days} so far), the schedule ({config.schedule}) or --retrain"
    )
