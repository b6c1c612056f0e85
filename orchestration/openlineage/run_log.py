"""A finished Dagster run, read back from the instance's event log, as the mesh's run record.

Lineage is built after the run from what Dagster recorded, not inside the steps: the job does no
extra work, and a run from ``mesh materialize`` (any executor), the UI or a sensor is read the
same way. An asset's run starts with its step (``STEP_START``), ends with its materialization or
its step's failure, and is held to the checks evaluated on it in the run; the assets a run meant
to build are its ``ASSET_MATERIALIZATION_PLANNED`` events, so an asset whose step failed before
materializing still gets its FAIL. Assets whose step never started (stopped by an upstream
failure) did not run and get no events.

A failed asset's error message goes to ``lineage/*.jsonl`` and to a lineage server outside the
mesh, so a broken contract is told by its rule lines only (asset, column, rule, failing-row
counts, from the contract check's ``rules`` table): the step's failure description, the
validation report's summary, carries sample rows whose non-PII values are raw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.contract_checks import CHECK_NAME as CONTRACT_CHECK
from supplymesh.governance.openlineage.records import Assertion, AssetRun, MeshRun

if TYPE_CHECKING:
    from dagster._utils.error import SerializableErrorInfo

EVENT = dg.DagsterEventType
_RUN_END = {EVENT.RUN_SUCCESS, EVENT.RUN_FAILURE, EVENT.RUN_CANCELED}


def _moment(entry: dg.EventLogEntry) -> dt.datetime:
    return dt.datetime.fromtimestamp(entry.timestamp, dt.UTC)


def _failure_text(data) -> str:
    """A step failure in words: the description of a deliberate ``dg.Failure``, else the error
    and its causes."""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    return (error_text(data.error) if data.error is not None else "") or "step failed"


def error_text(error: SerializableErrorInfo) -> str:
    """An error and its causes, innermost last: the step wrapper alone says nothing (here and
    in ``mesh materialize``'s failure lines)."""
    parts = []
    while error is not None:
        parts.append(error.message.strip())
        error = error.cause
    return "\n  caused by: ".join(parts)


def check_assertions(evaluation: dg.AssetCheckEvaluation) -> list[Assertion]:
    """One assertion per rule of the contract check (its ``rules`` table), one per other check."""
    severity = evaluation.severity.value.lower() if evaluation.severity else None
    rules = evaluation.metadata.get("rules")
    if evaluation.check_name != CONTRACT_CHECK or not isinstance(rules, dg.TableMetadataValue):
        return [Assertion(evaluation.check_name, evaluation.passed, severity=severity)]
    return [
        Assertion(
            name=str(r.data["rule"]),
            passed=int(r.data["failing_rows"]) == 0,
            column=None if r.data["column"] == "(table)" else str(r.data["column"]),
            severity=str(r.data["severity"]).lower(),
            expected=str(r.data["expected"]),
            actual=f"{int(r.data['failing_rows'])} failing rows",
        )
        for r in rules.records
    ]


def contract_failure_lines(evaluation: dg.AssetCheckEvaluation) -> list[str]:
    """A failed contract check in words without a value of the data: the asset and its row
    counts, then each failing rule (severity, column, rule, failing rows); [] if it passed."""
    rules = evaluation.metadata.get("rules")
    if evaluation.passed or not isinstance(rules, dg.TableMetadataValue):
        return []
    checked, rejected = (evaluation.metadata.get(k) for k in ("rows_checked", "rejected_rows"))
    head = f"{evaluation.asset_key.to_user_string()}: contract FAILED"
    if checked is not None and rejected is not None:
        head += f" ({checked.value:,} rows checked, {rejected.value:,} rejected)"
    broken = [r.data for r in rules.records if int(r.data["failing_rows"]) > 0]
    return [
        head,
        *(
            f"  [{r['severity']}] {r['column']} {r['rule']}: {r['failing_rows']:,} failing rows"
            for r in broken
        ),
    ]


@dataclass
class _Step:
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    error: str | None = None
    broken_contracts: list[str] = field(default_factory=list)  # its failed checks' rule lines

    def failure(self) -> str | None:
        """Why the step failed, told without data values: its broken contracts' rule lines if
        any (the step's own failure description quotes sample rows), else its error."""
        if self.error is None:
            return None
        return "\n".join(self.broken_contracts) or self.error


@dataclass
class _RunLog:
    """The events of one run, sorted by what they say about steps and assets."""

    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    error: str | None = None
    first: dt.datetime | None = None  # the first and last events, for a run that lacks its own
    last: dt.datetime | None = None
    steps: dict[str, _Step] = field(default_factory=dict)
    planned: dict[str, str] = field(default_factory=dict)  # asset -> its step
    materialized: dict[str, tuple[dt.datetime, Mapping]] = field(default_factory=dict)
    assertions: dict[str, list[Assertion]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)  # asset -> the source its contract read

    def read(self, entry: dg.EventLogEntry) -> None:
        event, moment = entry.dagster_event, _moment(entry)
        kind, data = event.event_type, event.event_specific_data
        step = self.steps.setdefault(event.step_key, _Step()) if event.step_key else None
        self.first, self.last = self.first or moment, moment
        if kind == EVENT.RUN_START:
            self.started = moment
        elif kind in _RUN_END:
            self.ended = moment
            self.error = None if kind == EVENT.RUN_SUCCESS else (event.message or kind.value)
        elif kind == EVENT.STEP_START and step is not None:
            step.started = moment
        elif kind == EVENT.STEP_SUCCESS and step is not None:
            step.ended = moment
        elif kind == EVENT.STEP_FAILURE and step is not None:
            step.ended, step.error = moment, _failure_text(data)
        elif kind == EVENT.ASSET_MATERIALIZATION_PLANNED and event.step_key:
            self.planned[data.asset_key.to_user_string()] = event.step_key
        elif kind == EVENT.ASSET_MATERIALIZATION:
            materialization = data.materialization
            key = materialization.asset_key.to_user_string()
            self.materialized[key] = (moment, materialization.metadata)
        elif kind == EVENT.ASSET_CHECK_EVALUATION:
            key = data.asset_key.to_user_string()
            self.assertions.setdefault(key, []).extend(check_assertions(data))
            if step is not None and data.check_name == CONTRACT_CHECK:
                step.broken_contracts += contract_failure_lines(data)
            if data.check_name == CONTRACT_CHECK and "source" in data.metadata:
                self.checked[key] = str(data.metadata["source"].value)


def _asset_run(log: _RunLog, asset: str, step: _Step, parents: Iterable[str]) -> AssetRun:
    done = log.materialized.get(asset)
    metadata = done[1] if done else {}
    rows = metadata.get("dagster/row_count")
    snapshot = metadata.get("snapshot_id")
    source = metadata.get("source")  # else what the contract check read (a refused file)
    source_file = str(source.value) if source is not None else log.checked.get(asset)
    return AssetRun(
        asset=asset,
        started=step.started,
        ended=done[0] if done else (step.ended or log.ended or step.started),
        succeeded=done is not None or (step.ended is not None and step.error is None),
        parents=tuple(sorted(parents)),
        error=None if done else step.failure(),
        rows=int(rows.value) if rows is not None else None,
        snapshot_id=str(snapshot.value)
        if snapshot is not None and snapshot.value != "none"
        else None,
        source_file=source_file if source_file and Path(source_file).is_absolute() else None,
        assertions=tuple(log.assertions.get(asset, ())),
    )


def mesh_run(
    instance: dg.DagsterInstance, run_id: str, asset_parents: Mapping[str, Iterable[str]]
) -> MeshRun:
    """The run ``run_id`` as the mesh's run record; ``asset_parents`` maps each asset key
    (``domain/name``) to the assets it reads."""
    run = instance.get_run_by_id(run_id)
    log = _RunLog()
    for entry in instance.all_logs(run_id):
        if entry.dagster_event is not None:
            log.read(entry)
    assets = tuple(
        _asset_run(log, asset, log.steps[step], asset_parents.get(asset, ()))
        for asset, step in sorted(log.planned.items())
        if step in log.steps and log.steps[step].started is not None
    )
    started = log.started or log.first or dt.datetime.now(dt.UTC)
    return MeshRun(
        run_id=run_id,
        job=run.job_name,
        started=started,
        ended=log.ended or log.last or started,
        succeeded=run.status == dg.DagsterRunStatus.SUCCESS,
        error=log.error,
        assets=assets,
    )
