"""``mesh materialize`` with ``MESH_EXECUTOR=celery``: the mesh job's steps on Celery workers.

``execute_in_process`` always runs every step in the calling process, whatever the job's
executor. Workers instead load the job themselves, so the run is created for a job they can
reconstruct from its module (``orchestration.definitions``, loaded from the repository), and the
calling process only orchestrates: it submits each step to the broker when its inputs are done
and collects the step's events. The run, its event log and the step outputs (Dagster's
filesystem IO manager under ``MESH_HOME/dagster_home``) live where every worker reaches them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run  # execute_job, with the run id we chose

from orchestration.jobs import MESH_JOB
from supplymesh.settings import PROJECT_ROOT

DEFINITIONS = ("orchestration.definitions", "defs")
QUIET = "CRITICAL"  # the workers' console loggers: the run's log is read from the instance


def execute_on_workers(
    instance: dg.DagsterInstance,
    run_id: str,
    keys: set[dg.AssetKey],
    tags: Mapping[str, str],
    run_config: dict,
) -> dg.JobExecutionResult:
    """Run the ``mesh`` job over ``keys`` with every step on a Celery worker; the result holds
    the events the workers handed back, as ``execute_in_process``'s does. The caller has checked
    that ``MESH_HOME`` is explicit (``settings.shared_mesh_home``)."""
    module, attribute = DEFINITIONS
    job = ReconstructableRepository.for_module(
        module, attribute, working_directory=str(PROJECT_ROOT)
    ).get_reconstructable_job(MESH_JOB)
    config = {**run_config, "loggers": {"console": {"config": {"log_level": QUIET}}}}
    run = instance.create_run_for_job(
        job_def=job.get_definition(),
        run_id=run_id,
        run_config=config,
        tags=dict(tags),
        asset_selection=frozenset(keys),
        job_code_origin=job.get_python_origin(),
    )
    with warnings.catch_warnings():
        # dagster-celery registers its step task again for every step it submits (same name,
        # same function); Celery 5.7 warns each time, and nothing is wrong
        warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")
        return execute_run(job, run, instance)


def logged_records(
    instance: dg.DagsterInstance, run_id: str, level: str
) -> list[logging.LogRecord]:
    """The run's log at ``level`` and above, from the event log every worker wrote to: what
    Dagster's console logger would have printed in process (``headless.HeldLog`` holds them)."""
    threshold = logging.getLevelName(level)
    where = f"{instance.storage_directory()}/{run_id}/compute_logs"
    records = [  # what the steps printed stayed on the workers: say where it is
        logging.LogRecord(
            "supplymesh",
            logging.INFO,
            "",
            0,
            f"the steps ran on Celery workers: what each printed (dbt's log among it) is in "
            f"Dagster's compute logs, {where} (mesh ui: the run's steps), and in the workers' logs",
            None,
            None,
        )
    ]
    for entry in instance.all_logs(run_id):
        if entry.level < threshold:
            continue
        event = entry.dagster_event
        kind = f" - {event.event_type_value}" if event is not None else ""
        step = f" - {entry.step_key}" if entry.step_key else ""
        text = f"{entry.job_name} - {run_id}{step}{kind} - {entry.message}"
        record = logging.LogRecord("dagster", entry.level, "", 0, text, None, None)
        record.created = entry.timestamp
        records.append(record)
    return records
