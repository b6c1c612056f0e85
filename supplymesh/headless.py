"""Run the mesh without the UI, recorded in the same Dagster instance the UI shows."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import dagster as dg

from supplymesh.dagster_home import prepare_dagster_home
from supplymesh.planning_settings import PlanningSettings, load_planning_settings
from supplymesh.progress import StepList, follow_steps
from supplymesh.registry import all_products
from supplymesh.run_guard import one_run_per_home
from supplymesh.settings import MeshPaths, mesh_paths, shared_mesh_home
from supplymesh.transforms_project import manifest_in_background

if TYPE_CHECKING:  # what Definitions.resolve_asset_graph returns; no public name
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    materialized: int = 0
    failed_checks: int = 0
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    output_log: Path | None = None  # what the steps printed (dbt's log among it), Dagster's log
    dagster_log_shown: bool = True  # whether Dagster's log also went to stderr
    model_line: str = ""  # whether the run trained the demand model, and why


@dataclass(frozen=True)
class TrainingPlan:
    """Whether a run trains the demand model (the ``model_lifecycle`` group), and why."""

    train: bool
    why: str

    @property
    def tag(self) -> str:
        """The run's ``supplymesh/training`` tag: the decision, as the UI shows it."""
        return ("trained: " if self.train else "not trained: ") + self.why

    def line(self, result: dg.ExecuteInProcessResult | None) -> str:
        if not self.train:
            return f"model: not trained ({self.why})"
        step_failed = result is not None and any(
            e.event_type_value == "STEP_FAILURE" and e.step_key == "forecast_model"
            for e in result.all_events
        )
        return (
            f"model: training FAILED ({self.why})"
            if step_failed
            else f"model: trained ({self.why})"
        )


def plan_training(
    instance: dg.DagsterInstance,
    keys: set[dg.AssetKey],
    training_keys: set[dg.AssetKey],
    whole_mesh: bool,
    retrain: str,
    planning,
) -> tuple[set[dg.AssetKey], TrainingPlan]:
    """The run's asset keys and its training plan: the whole mesh trains only when a reason
    holds (``orchestration.ml.cadence``) or a person asks (``retrain``: who, e.g. ``mesh
    materialize --retrain``); a selection trains when it names the training assets."""
    from orchestration.ml.cadence import cadence_state

    if retrain:
        return keys | training_keys, TrainingPlan(True, f"asked: {retrain}")
    if not whole_mesh:
        if keys & training_keys:
            return keys, TrainingPlan(True, "asked: selected")
        return keys, TrainingPlan(False, "not in the selection")
    state = cadence_state(instance, mesh_paths(), planning)
    reason = state.due()
    if reason is not None:
        return keys, TrainingPlan(True, str(reason))
    return keys - training_keys, TrainingPlan(False, state.not_due_text())


LOG_FORMAT = logging.Formatter(
    "%(asctime)s - %(name)s - %(levelname)s - %(message)s", "%Y-%m-%d %H:%M:%S %z"
)


class HeldLog(logging.Handler):
    """Dagster's console log of one run, held until the run's outcome says where it belongs.

    All of it ends in the run's output log. It goes to stderr too unless the run failed only on
    purpose (``dg.Failure``: data that broke a contract, no champion model yet): the summary
    explains those, and Dagster's step-failure stack traces would bury it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def logger_def(self) -> dg.LoggerDefinition:
        """A ``console`` logger (same config as Dagster's) that hands its records to this."""

        @dg.logger(
            {
                "log_level": dg.Field(str, is_required=False, default_value="INFO"),
                "name": dg.Field(str, is_required=False, default_value="dagster"),
            },
            description="Dagster's console log, held for the headless run's summary.",
        )
        def console(init_context) -> logging.Logger:
            config = init_context.logger_config
            log = logging.Logger(config["name"], level=config["log_level"].upper())
            log.addHandler(self)
            return log

        return console

    def write(self, stream: TextIO) -> None:
        for record in self.records:
            stream.write(LOG_FORMAT.format(record) + "\n")
        stream.flush()


@contextlib.contextmanager
def stdout_to(log: Path) -> Iterator[None]:
    """Send everything written to file descriptor 1 to ``log`` for the duration.

    dagster-dbt echoes every dbt log line to stdout; a headless run keeps them in a file beside
    the run (Dagster's compute logs, which mirror fd 1, still get them) so the console shows the
    step list and the summary, and a CI log stays readable.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with log.open("ab") as out:
            os.dup2(out.fileno(), 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def parse_selection(selection: list[str]) -> dg.AssetSelection:
    """Product keys (``sales.orders``), asset keys (``sales/orders_v2``) or Dagster strings."""
    if not selection:
        return dg.AssetSelection.all()
    products = {p.key: p for p in all_products()}
    parts: list[dg.AssetSelection] = []
    for item in selection:
        if item in products:
            product = products[item]
            parts.append(
                dg.AssetSelection.assets(
                    *[dg.AssetKey([product.domain, v.table]) for v in product.versions]
                )
            )
        elif ":" not in item and "/" in item:
            parts.append(dg.AssetSelection.assets(dg.AssetKey(item.split("/"))))
        else:
            with warnings.catch_warnings():  # `group:x` warns about a beta parameter it sets itself
                warnings.simplefilter("ignore", dg.BetaWarning)
                parts.append(dg.AssetSelection.from_string(item))
    return reduce(lambda combined, part: combined | part, parts)


def whole_steps(keys: set[dg.AssetKey], graph: AssetGraph) -> set[dg.AssetKey]:
    """``keys`` with every product of a step that publishes several at once and cannot publish
    part of them (the supply plan's five): selecting one runs its step whole, as the UI does,
    instead of failing on Dagster's subset error."""
    whole = set(keys)
    for key in keys:
        step = graph.assets_def_for_key(key)
        if not step.can_subset:
            whole |= set(step.keys)
    return whole


@one_run_per_home  # one run per MESH_HOME: `wait=False` refuses instead of waiting (run_guard)
def materialize(
    selection: list[str],
    log_level: str = "WARNING",
    progress_stream: TextIO | None = None,
    settings: Sequence[str] = (),
    retrain: str = "",
    allow_shrink: Sequence[str] = (),
    *,
    run_id: str = "",
) -> RunOutcome:
    """Execute the mesh job over ``selection`` and summarise what happened: in process, or with
    every step on a Celery worker when ``MESH_EXECUTOR=celery`` (then ``MESH_HOME`` must be set).

    The full event log is in the Dagster instance (``mesh ui`` shows the run). Dagster's console
    log (``log_level`` and above) and what the steps print go to ``outcome.output_log``, and to
    stderr after the run unless it failed only on purpose (``HeldLog``). On a terminal
    (``progress_stream``, default stderr) a live step list follows the run's events.
    ``settings`` (``KEY=VALUE``, as ``--set`` takes them) override the planning settings for this
    run; the run config records them all. The whole mesh trains the demand model only when a
    training is due (``plan_training``) or a person asks (``retrain`` names how);
    ``outcome.model_line`` says which, and the run's ``supplymesh/training`` tag shows it in the UI.
    ``allow_shrink`` (product keys, or ``all``) lets those products' publishes through the volume
    rule; the run config, the ``supplymesh/allow_shrink`` tag and the audit log record it.
    """
    paths = mesh_paths()
    planning = load_planning_settings(paths.home, settings)  # a bad key fails before the run
    with manifest_in_background(paths):  # a stale dbt manifest parses while these import
        prepare_dagster_home(paths)
        from orchestration.asset_graph_cache import remembered_definitions
        from orchestration.executors import executor_name

        if on_workers := executor_name() == "celery":  # a bad MESH_EXECUTOR fails here too
            shared_mesh_home("a run on Celery workers (MESH_EXECUTOR=celery)")
        from orchestration.jobs import MESH_JOB, TRAINING_GROUP
        from orchestration.ml.cadence import REASON_TAG
        from orchestration.openlineage.emission import run_lineage_line

        defs = remembered_definitions(paths)  # `mesh lineage` and `mesh products` read its graph
    held = HeldLog()
    job = defs.resolve_job_def(MESH_JOB).with_logger_defs({"console": held.logger_def()})
    graph = defs.resolve_asset_graph()
    training = dg.AssetSelection.groups(TRAINING_GROUP).resolve(graph)
    run_id = run_id or str(uuid.uuid4())  # the run lock's owner record names it
    output_log = paths.logs / f"materialize_{run_id}.log"
    result = None
    try:
        with dg.DagsterInstance.get() as instance:
            keys, plan = plan_training(
                instance,
                whole_steps(set(parse_selection(selection).resolve(graph)), graph),
                set(training),
                not selection,
                retrain,
                planning,
            )
        with (
            dg.DagsterInstance.get() as instance,
            StepList("materialize", total=len(keys), stream=progress_stream) as steps,
            stdout_to(output_log),
        ):
            if steps.live:  # events of steps run in this process (Celery workers log their own)
                instance.add_event_listener(run_id, follow_steps(steps))
            tags = {REASON_TAG: plan.tag, **shrink_tags(allow_shrink)}
            config = run_config(paths, planning, log_level, allow_shrink)
            result = execute(job, instance, run_id, keys, tags, config, on_workers, held)
            lineage = run_lineage_line(instance, run_id, graph)  # never fails the run
    finally:
        with output_log.open("a") as out:
            held.write(out)
        if result is None:  # the run itself broke: whatever Dagster said belongs on screen
            held.write(sys.stderr)
    outcome = summarise(result, output_log)
    outcome.model_line = plan.line(result)
    outcome.lines += [lineage] if lineage else []
    if outcome.dagster_log_shown:
        held.write(sys.stderr)
    return outcome


def execute(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    run_id: str,
    keys: set[dg.AssetKey],
    tags: dict[str, str],
    config: dict,
    on_workers: bool,
    held: HeldLog,
) -> dg.ExecuteInProcessResult | dg.JobExecutionResult:
    """One run of ``job`` over ``keys``: in process, or on Celery workers, whose Dagster log
    ``held`` gets from the instance afterwards (their console loggers print nothing here)."""
    if not on_workers:
        return job.execute_in_process(
            instance=instance,
            run_id=run_id,
            asset_selection=list(keys),
            raise_on_error=False,
            tags=tags,
            run_config=config,
        )
    from orchestration.worker_run import execute_on_workers, logged_records

    result = execute_on_workers(instance, run_id, keys, tags, config)
    level = config["loggers"]["console"]["config"]["log_level"]
    held.records.extend(logged_records(instance, run_id, level))
    return result


ALLOW_SHRINK_TAG = "supplymesh/allow_shrink"


def shrink_tags(allow_shrink: Sequence[str]) -> dict[str, str]:
    """The run's ``supplymesh/allow_shrink`` tag: which products a steward let shrink."""
    return {ALLOW_SHRINK_TAG: ",".join(allow_shrink)} if allow_shrink else {}


def run_config(
    paths: MeshPaths, planning: PlanningSettings, log_level: str, allow_shrink: Sequence[str]
) -> dict:
    """The run's config: console log level, planning settings, the ``mesh`` resource's."""
    return {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "resources": {
            "planning": {"config": planning.as_dict()},
            "mesh": mesh_config(paths, allow_shrink),
        },
    }


def mesh_config(paths: MeshPaths, allow_shrink: Sequence[str]) -> dict:
    """The ``mesh`` resource's run config: the run's runtime folder (every step checks that its
    process has the same, ``MeshResource``), and the products ``allow_shrink`` lets through the
    volume rule, with who asked (the user at the command line)."""
    config: dict = {"home": str(paths.home)}
    if allow_shrink:
        who = f"cli:{os.environ.get('USER', 'unknown')} (mesh materialize --allow-shrink)"
        config |= {"allow_shrink": list(allow_shrink), "requested_by": who}
    return {"config": config}


def summarise(result: dg.ExecuteInProcessResult, output_log: Path) -> RunOutcome:
    """The run's materializations, failed checks and failures, as the CLI prints them.

    A step that failed on purpose (``dg.Failure``: a contract the data broke, no champion
    model yet) is explained by its failed contract check or else by its description; only a
    failure nothing explains brings Dagster's own log (stack traces) to stderr.
    """
    from orchestration.contract_checks import CHECK_NAME as CONTRACT_CHECK
    from orchestration.openlineage.run_log import error_text

    outcome = RunOutcome(result.run_id, result.success, output_log=output_log)
    broken_contracts = {  # steps whose failed contract check says why they stopped
        e.step_key
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.event_specific_data.passed
        and e.event_specific_data.check_name == CONTRACT_CHECK
    }
    unexplained = False
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            outcome.materialized += 1
            mat = event.event_specific_data.materialization
            rows = mat.metadata.get("dagster/row_count")
            suffix = f" ({rows.value:,} rows)" if rows is not None else ""
            outcome.lines.append(f"  materialized {mat.asset_key.to_user_string()}{suffix}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                outcome.failed_checks += 1
                outcome.lines.append(
                    f"  check FAILED {evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                    f" - {evaluation.description or ''}"
                )
        elif event.event_type_value == "STEP_FAILURE":
            failure = event.event_specific_data
            if failure.user_failure_data is None:
                unexplained = True
            elif event.step_key in broken_contracts:
                continue
            why = (
                error_text(failure.error)
                if failure.user_failure_data is None
                else failure.user_failure_data.description
            )
            outcome.errors.append(f"step {event.step_key} failed: {why}")
    outcome.dagster_log_shown = result.success or unexplained
    return outcome
