"""Which executor runs the mesh job: in process unless ``MESH_EXECUTOR`` says celery, and a
wrong value stops before any run, naming the choices."""

import dagster as dg
import pytest

from orchestration.executors import (
    BACKEND_ENV,
    BROKER_ENV,
    DEFAULT_BROKER,
    EXECUTOR_ENV,
    ExecutorChoiceError,
    celery_urls,
    executor_name,
    mesh_executor,
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (EXECUTOR_ENV, BROKER_ENV, BACKEND_ENV):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_machine_runs_in_process_by_default(clean_env):
    assert executor_name() == "in_process"
    assert mesh_executor() is dg.in_process_executor


def test_an_unknown_executor_is_refused_naming_the_choices(clean_env):
    clean_env.setenv(EXECUTOR_ENV, "kubernetes")
    with pytest.raises(ExecutorChoiceError, match=r"in_process.*celery"):
        executor_name()


def test_the_result_backend_is_the_broker_unless_named(clean_env):
    assert celery_urls() == {"broker": DEFAULT_BROKER, "backend": DEFAULT_BROKER}
    clean_env.setenv(BROKER_ENV, "redis://10.0.0.5:6379/1")
    assert celery_urls()["backend"] == "redis://10.0.0.5:6379/1"
    clean_env.setenv(BACKEND_ENV, "redis://10.0.0.6:6379/2")
    assert celery_urls() == {
        "broker": "redis://10.0.0.5:6379/1",
        "backend": "redis://10.0.0.6:6379/2",
    }
