"""Which Dagster executor runs the mesh job's steps: in process (the default) or Celery workers.

On one machine the in-process executor is the fastest: every step process of Dagster's
multiprocess executor pays about 10 s of imports on two cores (README, "Executor"). When the data
outgrows one machine, ``MESH_EXECUTOR=celery`` hands every step to Dagster's Celery executor
(dagster-celery, the ``celery`` extra): the run's process submits the steps to a broker and
Celery workers (``mesh worker``) run them, each against the same ``MESH_HOME`` and Dagster
instance. The choice is read when the definitions are built, never at import, so a worker and
the process that submits its steps must see the same variables.
"""

from __future__ import annotations

import os

import dagster as dg

EXECUTOR_ENV = "MESH_EXECUTOR"
EXECUTORS = ("in_process", "celery")
BROKER_ENV = "MESH_CELERY_BROKER"
BACKEND_ENV = "MESH_CELERY_BACKEND"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


class ExecutorChoiceError(ValueError):
    """``MESH_EXECUTOR`` names no executor the mesh has."""


def executor_name() -> str:
    """``$MESH_EXECUTOR`` or ``in_process``; an error naming the choices for any other value,
    before a run starts."""
    name = os.environ.get(EXECUTOR_ENV) or EXECUTORS[0]
    if name not in EXECUTORS:
        raise ExecutorChoiceError(
            f"{EXECUTOR_ENV}={name!r} is not an executor; choose one of {EXECUTORS}"
        )
    return name


def celery_urls() -> dict[str, str]:
    """The broker, and the result backend the workers hand each step's events back through
    (the broker's Redis unless ``MESH_CELERY_BACKEND`` names another)."""
    broker = os.environ.get(BROKER_ENV) or DEFAULT_BROKER
    return {"broker": broker, "backend": os.environ.get(BACKEND_ENV) or broker}


def mesh_executor() -> dg.ExecutorDefinition:
    """The executor of the ``mesh`` job for this environment (``MESH_EXECUTOR``).

    The Celery executor is configured here, not in the run config, so the broker's URL (which may
    hold a password) is never stored with a run; the workers build theirs from the same
    variables (``orchestration.celery_app``).
    """
    if executor_name() == "in_process":
        return dg.in_process_executor
    from dagster_celery import celery_executor  # the `celery` extra: only where it is chosen

    return celery_executor.configured(celery_urls(), name="celery")
